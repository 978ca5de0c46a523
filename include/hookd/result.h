// Result<T, E>: a value or an error, for code paths where failure is expected (bad input, a missing
// row, a refused connection). g++ 12 has no std::expected; this is the small part of it hookd uses.
//
// Construct a success from a T (or with no argument for Result<void, E>), a failure with
// `hookd::fail(error)`. Reading value() of a failure, or error() of a success, is a broken invariant
// and aborts.
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace hookd {

// Wraps an error so that Result's constructors can tell it from a value.
template <class E>
struct Failure {
  E error;
};

template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
  return Failure<std::decay_t<E>>{std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  requires std::is_constructible_v<E, F&&> Result(Failure<F> failure)  // NOLINT: implicit by design
      : state_(std::in_place_index<1>, std::move(failure.error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  T* operator->() { return &checked_value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return checked_value(); }
  const T& operator*() const& { return value(); }

  const E& error() const& {
    if (ok()) std::abort();
    return std::get<1>(state_);
  }
  E&& error() && {
    if (ok()) std::abort();
    return std::move(std::get<1>(state_));
  }

 private:
  T& checked_value() {
    if (!ok()) std::abort();
    return std::get<0>(state_);
  }

  std::variant<T, E> state_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <class F>
  requires std::is_constructible_v<E, F&&> Result(Failure<F> failure)
      : error_(std::move(failure.error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }

  const E& error() const& {
    if (ok()) std::abort();
    return *error_;
  }
  E&& error() && {
    if (ok()) std::abort();
    return std::move(*error_);
  }

 private:
  std::optional<E> error_;
};

}  // namespace hookd
