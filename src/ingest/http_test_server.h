// A real HTTP server on 127.0.0.1 for connector tests (cpp-httplib, in
// process): handlers are registered per test; requests are recorded.
#pragma once

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::ingest::testing {

struct SeenRequest {
  std::string path;
  std::string query;  // the raw query string, in the order and encoding sent
  httplib::Params params;
  httplib::Headers headers;
};

class TestHttpServer {
 public:
  TestHttpServer() = default;
  ~TestHttpServer() { Stop(); }

  // Starts listening on a free loopback port; call after registering handlers.
  void Start() {
    // Recorded before the handler runs: a logger runs after the reply is
    // sent, so a test could look before the last request was recorded.
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response&) {
      std::lock_guard<std::mutex> lock(mutex_);
      SeenRequest seen{request.path, "", request.params, request.headers};
      size_t question = request.target.find('?');
      if (question != std::string::npos) seen.query = request.target.substr(question + 1);
      requests_.push_back(std::move(seen));
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  httplib::Server& server() { return server_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<SeenRequest> requests_;
};

}  // namespace strata::ingest::testing
