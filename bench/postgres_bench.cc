// The two stores side by side on this machine, in one run: SQLite (one node), PostgreSQL with one node
// and with two nodes sharing it. Each figure comes with its ratio to the machine's ceiling measured in
// the same run (wrk's raw POST rate against the same loopback receiver).
//
//   build/bench/postgres_bench [--hookd build/src/cli/hookd] [--seconds 10] [--apps 16]
//
// Figures, for each setup: durable ingest (messages accepted per second by 64 keep-alive clients spread
// over the nodes, with the API alone: role api), and end-to-end delivery (publish at full speed for the
// duration, then every accepted message received; deliveries per second from the first publish to the
// last receipt). Messages go to --apps applications of one endpoint each, so that two nodes share the
// applications' leases. PostgreSQL is Debian's, started here (scripts/test-postgres.sh) with fsync on,
// as SQLite syncs every commit.
//
// Last, moving to PostgreSQL: the SQLite setup's database (every message it accepted, its deliveries and
// attempts) is copied into a fresh schema with `hookd copy-to-postgres`, in rows per second; its ceiling
// is PostgreSQL copying the same rows from table to table itself, with no client at all.
#include <regex>

#include "bench_support.h"

using namespace hookd;
using namespace hookd::bench;
using namespace std::chrono_literals;

namespace {

struct Setup {
  const char* name;
  bool postgres;
  int nodes;
};

// A wrk script publishing to one of `apps` applications at random.
std::string publish_script(const BenchRun& bench, const std::string& token, long apps) {
  const std::string body = "{\"eventType\":\"bench\",\"payload\":" + payload_1kib() + "}";
  const std::string lua = wrk_script(body, {"Content-Type: application/json", "Authorization: Bearer " + token}) +
                          "request = function() return wrk.format(nil, \"/api/v1/app/b\" .. math.random(0, " +
                          std::to_string(apps - 1) + ") .. \"/msg\") end\n";
  return write_file(bench.work / "publish.lua", lua);
}

// Runs wrk against every node at once (64 connections in all); messages accepted per second, and how many.
std::pair<double, long> publish_to(const BenchRun& bench, const std::vector<Hookd>& nodes, const std::string& script) {
  const int connections = 64 / static_cast<int>(nodes.size());
  std::vector<std::future<std::string>> runs;
  for (const Hookd& node : nodes) {
    runs.push_back(std::async(std::launch::async, [&, url = node.url] {
      return run("wrk -t1 -c" + std::to_string(connections) + " -d" + bench.duration() + " -s " + script + " " + url);
    }));
  }
  double rate = 0;
  long accepted = 0;
  for (auto& output : runs) {
    const std::string text = output.get();
    rate += wrk_rate(text) * static_cast<double>(wrk_requests(text) - wrk_non_2xx(text)) /
            static_cast<double>(std::max(1L, wrk_requests(text)));
    accepted += wrk_requests(text) - wrk_non_2xx(text);
  }
  return {rate, accepted};
}

double seconds_since(Clock::time_point started) {
  return std::chrono::duration<double>(Clock::now() - started).count();
}

void measure_copy(const BenchRun& bench, const std::string& dsn, const std::filesystem::path& sqlite_data) {
  run("psql '" + dsn + "' -qc 'CREATE SCHEMA moved; CREATE SCHEMA copied_by_server'");
  const auto started = Clock::now();
  const std::string summary = run(bench.binary + " copy-to-postgres --data-dir " + sqlite_data.string() + " --db '" +
                                  dsn + "?options=-csearch_path%3Dmoved'");
  const double copy_seconds = seconds_since(started);
  // The summary's "  table: N rows" lines: the rows, and the tables to copy again server-side.
  long rows = 0;
  std::string sql;
  const std::regex counted(R"(  (\w+): (\d+) rows)");
  for (auto it = std::sregex_iterator(summary.begin(), summary.end(), counted); it != std::sregex_iterator(); ++it) {
    const std::string table = (*it)[1];
    rows += std::stol((*it)[2]);
    sql += "CREATE TABLE copied_by_server." + table + " (LIKE moved." + table +
           " INCLUDING ALL); INSERT INTO copied_by_server." + table + " SELECT * FROM moved." + table + ";";
  }
  const auto server_started = Clock::now();
  run("psql '" + dsn + "' -q -v ON_ERROR_STOP=1 -1 -c '" + sql + "'");
  const double server_seconds = seconds_since(server_started);
  const double rate = static_cast<double>(rows) / copy_seconds;
  const double ceiling = static_cast<double>(rows) / server_seconds;
  std::printf("copy-to-postgres:    %6.0f rows/s (%ld rows in %.1f s; PostgreSQL alone %.0f rows/s)   ratio %.2f\n",
              rate, rows, copy_seconds, ceiling, rate / ceiling);
}

}  // namespace

int main(int argc, char** argv) {
  const BenchRun bench = start_bench(argc, argv);
  const long apps = bench.number("apps", 16);
  const std::string postgres_state = (bench.work / "postgres.dsn").string();
  if (std::system(
          ("TEST_POSTGRES_FSYNC=on scripts/test-postgres.sh start " + postgres_state + " >/dev/null").c_str()) != 0) {
    std::fprintf(stderr, "cannot start PostgreSQL (run from the repository's root; scripts/install-deps.sh)\n");
    return 1;
  }
  std::string dsn;
  std::getline(std::ifstream(postgres_state), dsn);

  Receiver receiver;
  const double ceiling = measure_ceiling(bench, receiver, payload_1kib(), 64);

  const Setup setups[] = {
      {"SQLite, 1 node", false, 1}, {"PostgreSQL, 1 node", true, 1}, {"PostgreSQL, 2 nodes", true, 2}};
  int round = 0;
  for (const Setup& setup : setups) {
    // A fresh database for each setup: SQLite in its own directory, PostgreSQL in its own schema.
    ++round;
    std::string db;
    if (setup.postgres) {
      const std::string schema = "bench" + std::to_string(round);
      run("psql '" + dsn + "' -qc 'CREATE SCHEMA " + schema + "'");
      db = dsn + "?options=-csearch_path%3D" + schema;
    }
    const auto data = [&](int node) {
      return bench.work / ("data-" + std::to_string(round) + "-" + std::to_string(node));
    };

    // Durable ingest: the API alone.
    std::vector<Hookd> nodes;
    for (int n = 0; n < setup.nodes; ++n) nodes.push_back(start_hookd(bench.binary, data(n), "api", db));
    const std::string token = nodes[0].token;
    Api api(nodes[0].url, token);
    for (long a = 0; a < apps; ++a) {
      const std::string uid = "b" + std::to_string(a);
      api.call("POST", "/api/v1/app", R"({"name":")" + uid + R"(","uid":")" + uid + R"("})");
      api.call("POST", "/api/v1/app/" + uid + "/endpoint", R"({"url":")" + receiver.url() + R"("})");
    }
    const std::string script = publish_script(bench, token, apps);
    const auto [ingest, queued] = publish_to(bench, nodes, script);
    std::printf("%-20s durable ingest: %6.0f messages/s   ratio %.2f\n", setup.name, ingest, ingest / ceiling);
    for (const Hookd& node : nodes) node.stop();
    nodes.clear();

    // End to end: the same nodes deliver the queue, and what is published meanwhile.
    const std::uint64_t before = receiver.delivered();
    const auto started = Clock::now();
    for (int n = 0; n < setup.nodes; ++n) nodes.push_back(start_hookd(bench.binary, data(n), "all", db));
    const auto [rate, accepted] = publish_to(bench, nodes, script);
    const auto expected = static_cast<std::uint64_t>(queued + accepted);
    const auto deadline = Clock::now() + std::chrono::seconds(20 * bench.seconds + 120);
    while (receiver.delivered() - before < expected && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    const double elapsed = seconds_since(started);
    const double delivered = static_cast<double>(receiver.delivered() - before);
    std::printf(
        "%-20s end to end: %6.0f deliveries/s (%.0f of %llu in %.1f s, published at %.0f/s meanwhile)   "
        "ratio %.2f\n",
        setup.name, delivered / elapsed, delivered, static_cast<unsigned long long>(expected), elapsed, rate,
        delivered / elapsed / ceiling);
    for (const Hookd& node : nodes) node.stop();
  }
  measure_copy(bench, dsn, bench.work / "data-1-0");
  run("scripts/test-postgres.sh stop " + postgres_state);
  std::filesystem::remove_all(bench.work);
  return 0;
}
