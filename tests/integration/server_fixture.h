// The integration tests' fixture: the whole server in process on port 0, driven over HTTP like a client
// would, delivering to receivers on loopback. The retry schedule is compressed to milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ids.h"
#include "server/hookd_server.h"
#include "support/postgres.h"
#include "test_support.h"

namespace hookd::testing {

namespace json = boost::json;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = std::filesystem::temp_directory_path() / ("hookd-it-" + core::new_id(""));
    config_.listen_address = "127.0.0.1";
    config_.port = 0;
    config_.data_dir = data_dir_.string();
    database_ = std::make_unique<hookd::testing::TestStore>(data_dir_);
    ASSERT_EQ(database_->error(), "");
    config_.db_dsn = database_->dsn();
    config_.synchronous_full = false;
    config_.api_workers = 8;
    config_.delivery.schedule.delays = {30ms, 30ms, 30ms};
    config_.delivery.schedule.penalty = 50ms;
    config_.delivery.request.timeout = 2s;
    // The receivers run on this machine: open loopback to deliveries, as an operator would.
    config_.allow_subnets = {*delivery::Subnet::parse("127.0.0.0/8")};
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    database_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  void start() {
    auto started = server::HookdServer::start(config_);
    ASSERT_TRUE(started) << started.error().detail;
    server_ = std::move(*started);
    client_ = std::make_unique<ApiClient>(server_->base_url(), server_->org_token("org_it"));
  }

  // An app (uid "app") with one endpoint at `url`; returns the endpoint's secret.
  std::string app_with_endpoint(const std::string& url, const std::string& extra = "") {
    EXPECT_EQ(client_->post("/api/v1/app", R"({"name":"App","uid":"app"})").status, 201);
    auto endpoint = client_->post("/api/v1/app/app/endpoint", R"({"url":")" + url + R"(","uid":"ep")" + extra + "}");
    EXPECT_EQ(endpoint.status, 201) << endpoint.body;
    return std::string(client_->get("/api/v1/app/app/endpoint/ep/secret").json().at("key").as_string());
  }

  std::string publish(const std::string& payload = R"({"n":1})") {
    auto response = client_->post("/api/v1/app/app/msg", R"({"eventType":"test.event","payload":)" + payload + "}");
    EXPECT_EQ(response.status, 202) << response.body;
    return std::string(response.json().at("id").as_string());
  }

  json::array attempts(const std::string& msg_id) {
    return client_->get("/api/v1/app/app/attempt/msg/" + msg_id + "?order=ascending").json().at("data").as_array();
  }

  std::string status_of(const std::string& msg_id) {
    auto data = client_->get("/api/v1/app/app/msg/" + msg_id + "/endpoint").json().at("data").as_array();
    return data.empty() ? "" : std::string(data[0].at("statusText").as_string());
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<hookd::testing::TestStore> database_;
  server::ServerConfig config_;
  std::unique_ptr<server::HookdServer> server_;
  std::unique_ptr<ApiClient> client_;
};

}  // namespace hookd::testing
