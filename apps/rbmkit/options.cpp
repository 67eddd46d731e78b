#include "options.hpp"

#include <utility>
#include <vector>

namespace rbmkit::cli {

namespace {

const std::vector<std::pair<std::string, std::string>>& table() {
  static const std::vector<std::pair<std::string, std::string>> t = {
      {"TrainConfig::machine", "--machine"},
      {"TrainConfig::hidden", "--hidden"},
      {"TrainConfig::epochs", "--epochs"},
      {"TrainConfig::batch", "--batch"},
      {"TrainConfig::lr_decay", "--lr-decay"},
      {"TrainConfig::lr", "--lr"},
      {"TrainConfig::momentum_epochs", "--momentum-epochs"},
      {"TrainConfig::momentum", "--momentum"},
      {"TrainConfig::initial_momentum", "--initial-momentum"},
      {"TrainConfig::weight_decay", "--weight-decay"},
      {"TrainConfig::average_from", "--average-from"},
      {"TrainConfig::method", "--method"},
      {"TrainConfig::chains", "--chains"},
      {"TrainConfig::temperatures", "--temperatures"},
      {"TrainConfig::gradient", "--gradient"},
      {"TrainConfig::binarize", "--binarize"},
      {"TrainConfig::threshold", "--threshold"},
      {"TrainConfig::valid", "--valid"},
      {"TrainConfig::seed", "--seed"},
      {"TrainConfig::threads", "--threads"},
      {"RbmConfig::k", "--k"},
      {"RbmConfig::sparsity_target", "--sparsity-target"},
      {"RbmConfig::sparsity_cost", "--sparsity-cost"},
      {"RbmConfig::centering_rate", "--centering-rate"},
      {"RbmConfig::centering", "--centering"},
      {"BmConfig::gibbs_sweeps", "--gibbs-sweeps"},
      {"BmConfig::connectivity", "--connectivity"},
      {"RunOptions::out", "--out"},
      {"RunOptions::checkpoint_every", "--checkpoint-every"},
      {"RunOptions::monitor_examples", "--monitor-examples"},
      {"RunOptions::eval_every", "--eval-every"},
      {"RunOptions::test", "--test"},
      {"EquivConfig::k", "--k"},
      {"EquivConfig::batch", "--batch"},
      {"EquivConfig::method", "--method"},
      {"PhaseConfig::temperatures", "--temperatures"},
      {"LiteralConfig::pairs", "--pairs"},
      {"LiteralConfig::burn_in", "--burn-in"},
      {"LiteralConfig::z", "--z"},
      {"StudyConfig::samples", "--samples"},
      {"ToyConfig::steps", "--toy-steps"},
      {"AutoencoderConfig::steps", "--demo-steps"},
      {"LikelihoodOptions::ais_runs", "--ais-runs"},
      {"LikelihoodOptions::ais_betas", "--ais-betas"},
      {"LikelihoodOptions::ais_base", "--ais-base"},
      {"LikelihoodOptions::max_examples", "--max-examples"},
      {"DataOptions::scale", "--scale"},
      {"DataOptions::label_column", "--label-column"},
      // Not a field: the element type read_rbm_csv / read_bm_csv suggest for values beyond float.
      {"ElementType::float64", "--precision double"},
  };
  return t;
}

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string option_for(const std::string& field) {
  for (const auto& [f, option] : table())
    if (f == field) return option;
  return "";
}

std::string in_option_terms(const std::string& message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    bool replaced = false;
    if (i == 0 || !field_char(message[i - 1]))
      for (const auto& [field, option] : table())
        if (message.compare(i, field.size(), field) == 0 &&
            (i + field.size() == message.size() || !field_char(message[i + field.size()]))) {
          out += option;
          i += field.size();
          replaced = true;
          break;
        }
    if (!replaced) out += message[i++];
  }
  return out;
}

}  // namespace rbmkit::cli
