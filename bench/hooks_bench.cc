// Command hooks on this machine: requests per second to a hook that runs `true` and answers with its
// output, for `hookd hooks` and for Debian's `webhook` on the same hooks file, in the same run, and
// their ratio. Also the ceiling (wrk's raw POST rate against a loopback receiver).
//
//   build/bench/hooks_bench [--hookd build/src/cli/hookd] [--seconds 10]
#include <sys/wait.h>
#include <csignal>

#include "bench_support.h"

using namespace hookd;
using namespace hookd::bench;
using namespace std::chrono_literals;

namespace {

pid_t start(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::freopen("/dev/null", "w", stdout);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

double measure(const std::string& url, const std::string& duration, const std::string& script) {
  // Wait until it answers.
  for (int i = 0; i < 100 && run("curl -s -o /dev/null -w '%{http_code}' " + url) != "200"; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  return wrk_rate(run("wrk -t2 -c16 -d" + duration + " -s " + script + " " + url));
}

}  // namespace

int main(int argc, char** argv) {
  const BenchRun bench = start_bench(argc, argv);
  if (!std::filesystem::exists("/usr/bin/webhook")) {
    std::fprintf(stderr, "needs /usr/bin/webhook (Debian's webhook package; scripts/install-deps.sh installs it)\n");
    return 1;
  }
  const auto& work = bench.work;
  const std::string duration = bench.duration();
  Receiver receiver;
  const double ceiling = measure_ceiling(bench, receiver, "{}", 16);

  const auto hooks =
      write_file(work / "hooks.json",
                 R"([{"id":"true","execute-command":"/bin/true","include-command-output-in-response":true}])");
  const auto script = write_file(work / "post.lua", wrk_script(R"({"n":1})", {"Content-Type: application/json"}));

  const pid_t webhook = start({"/usr/bin/webhook", "-hooks", hooks, "-ip", "127.0.0.1", "-port", "9871"});
  const double theirs = measure("http://127.0.0.1:9871/hooks/true", duration, script);
  stop(webhook);
  const pid_t ours = start({bench.binary, "hooks", "-hooks", hooks, "-ip", "127.0.0.1", "-port", "9872"});
  const double mine = measure("http://127.0.0.1:9872/hooks/true", duration, script);
  stop(ours);

  std::printf("webhook 2.8 (Debian): %.0f hook runs/s   ratio to ceiling %.3f\n", theirs, theirs / ceiling);
  std::printf("hookd hooks:          %.0f hook runs/s   ratio to ceiling %.3f   hookd/webhook %.2f\n", mine,
              mine / ceiling, mine / theirs);
  std::filesystem::remove_all(work);
  return 0;
}
