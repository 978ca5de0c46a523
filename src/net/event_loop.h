// A single-threaded event loop with timers: the thread that the delivery engine and its HTTP client run
// on. Hides Asio from the code that uses it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace hookd::net {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();  // stops and joins the thread
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts the loop's thread. Work posted before start() runs once it starts.
  void start();
  // Stops the loop (pending work and timers are dropped) and joins its thread. Idempotent.
  void stop();

  // Runs `task` on the loop's thread. Thread-safe.
  void post(std::function<void()> task);
  // Runs `task` on the loop's thread after `delay`. Thread-safe. Timers cannot be cancelled; a task
  // that may have become moot checks for itself when it runs.
  void post_after(std::chrono::microseconds delay, std::function<void()> task);
  // Whether the caller is on the loop's thread.
  bool on_loop_thread() const;

  boost::asio::io_context& context();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hookd::net
