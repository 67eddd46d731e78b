#pragma once
/// One way to name every enum of rbmkit: each enum specialises EnumNames next to its definition,
///
///   template <> struct EnumNames<Method> {
///     static constexpr const char* type = "Method";
///     static constexpr std::pair<Method, const char*> names[] = {{Method::cd, "cd"}, ...};
///   };
///
/// and `to_string(value)` / `from_string<E>(text)` work for it. The names are the ones model
/// files, result files and the command line use.
#include <iterator>
#include <string>
#include <utility>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

/// Specialised for each enum (see above); the primary template is never defined.
template <class E>
struct EnumNames;

/// The name of `value` (InvalidArgument for a value outside the enum's table).
template <class E, class = decltype(EnumNames<E>::names)>
std::string to_string(E value) {
  for (const auto& [v, name] : EnumNames<E>::names)
    if (v == value) return name;
  throw InvalidArgument(std::string("to_string: not a valid ") + EnumNames<E>::type + " value");
}

/// "a, b or c": the accepted names of E, for messages.
template <class E, class = decltype(EnumNames<E>::names)>
std::string enum_choices() {
  std::string s;
  const auto n = std::size(EnumNames<E>::names);
  std::size_t k = 0;
  for (const auto& entry : EnumNames<E>::names) {
    if (k > 0) s += k + 1 == n ? " or " : ", ";
    s += entry.second;
    ++k;
  }
  return s;
}

/// The value named `text`; throws InvalidArgument "<Type>: expected a, b or c, got 'text'".
template <class E, class = decltype(EnumNames<E>::names)>
E from_string(const std::string& text) {
  for (const auto& [v, name] : EnumNames<E>::names)
    if (text == name) return v;
  throw InvalidArgument(std::string(EnumNames<E>::type) + ": expected " + enum_choices<E>() +
                        ", got '" + text + "'");
}

}  // namespace rbmkit
