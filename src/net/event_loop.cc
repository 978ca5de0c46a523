#include "net/event_loop.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <thread>

namespace hookd::net {

namespace asio = boost::asio;

struct EventLoop::State {
  asio::io_context context{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{context.get_executor()};
  std::thread thread;
};

EventLoop::EventLoop() : state_(std::make_unique<State>()) {}

EventLoop::~EventLoop() { stop(); }

void EventLoop::start() {
  state_->thread = std::thread([this] { state_->context.run(); });
}

void EventLoop::stop() {
  state_->work.reset();
  state_->context.stop();
  if (state_->thread.joinable() && state_->thread.get_id() != std::this_thread::get_id()) state_->thread.join();
}

void EventLoop::post(std::function<void()> task) { asio::post(state_->context, std::move(task)); }

void EventLoop::post_after(std::chrono::microseconds delay, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(state_->context, delay);
  // The timer shares its own lifetime with the wait it is doing.
  timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& error) {
    if (!error) task();
  });
}

bool EventLoop::on_loop_thread() const { return state_->context.get_executor().running_in_this_thread(); }

asio::io_context& EventLoop::context() { return state_->context; }

}  // namespace hookd::net
