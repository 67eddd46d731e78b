#pragma once
// The one table from the library's configuration fields to the program's options: library
// errors name fields ("TrainConfig::lr: must be ..."); the program reports them as options
// ("--lr: must be ...").
#include <string>

namespace rbmkit::cli {

/// `message` with every library field it names ("TrainConfig::lr") replaced by the option that
/// sets it ("--lr"). Fields without an option are left as they are.
std::string in_option_terms(const std::string& message);

/// The option that sets library field `field` ("TrainConfig::lr" → "--lr"), or "" if none.
std::string option_for(const std::string& field);

}  // namespace rbmkit::cli
