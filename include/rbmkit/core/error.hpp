#pragma once
/// Typed exceptions of rbmkit. Every message names the function, file or option at fault.
#include <stdexcept>
#include <string>

namespace rbmkit {

/// Base class of every error rbmkit throws.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// An argument or option value is out of its domain (e.g. zero hidden units, NaN learning rate).
class InvalidArgument : public Error {
public:
  using Error::Error;
};

/// An input data file is missing, unreadable, truncated or malformed.
class DataError : public Error {
public:
  using Error::Error;
};

/// A model file is missing, damaged, or of an unknown version or type.
class ModelError : public Error {
public:
  using Error::Error;
};

/// An output file or directory could not be written.
class OutputError : public Error {
public:
  using Error::Error;
};

/// A computation left the finite numbers (e.g. training diverged to NaN or infinite weights).
class NumericalError : public Error {
public:
  using Error::Error;
};

/// Two things that must agree (dimensions, element types) do not.
class DimensionError : public Error {
public:
  using Error::Error;
};

}  // namespace rbmkit
