#include "rbmkit/studies/estimator_report.hpp"

#include "studies/report_detail.hpp"

namespace rbmkit {

using detail::csv_number;

// ---- files ------------------------------------------------------------------

void write_variance_csv(std::ostream& os, const std::vector<VarianceRow>& rows) {
  os << "task,estimator,units,samples,bias,bias_stderr,max_z,variance\n";
  for (const VarianceRow& r : rows)
    os << r.task << ',' << r.estimator << ',' << r.units << ',' << r.samples << ','
       << csv_number(r.bias) << ',' << csv_number(r.bias_stderr) << ',' << csv_number(r.max_z)
       << ',' << csv_number(r.variance) << '\n';
}

void write_signal_csv(std::ostream& os, const std::vector<TaskSignal>& signals) {
  os << "task,units,grad_norm,mean_sq_gradient,expected_loss\n";
  for (const TaskSignal& s : signals)
    os << s.task << ',' << s.units << ',' << csv_number(s.grad_norm) << ','
       << csv_number(s.mean_sq_gradient) << ',' << csv_number(s.expected_loss) << '\n';
}

void write_scaling_csv(std::ostream& os, const std::vector<ScalingRow>& rows) {
  os << "task,estimator,units,instances,samples,median,min,max\n";
  for (const ScalingRow& r : rows)
    os << r.task << ',' << r.estimator << ',' << r.units << ',' << r.instances << ','
       << r.samples << ',' << csv_number(r.median) << ',' << csv_number(r.min) << ','
       << csv_number(r.max) << '\n';
}

void write_toy_csv(std::ostream& os, const std::vector<ToyPoint>& points) {
  os << "estimator,step,theta_mean,theta_sd,expected_loss\n";
  for (const ToyPoint& p : points)
    os << p.estimator << ',' << p.step << ',' << csv_number(p.theta_mean) << ','
       << csv_number(p.theta_sd) << ',' << csv_number(p.expected_loss) << '\n';
}

// ---- plots ------------------------------------------------------------------

Plot variance_plot(const std::vector<VarianceRow>& rows, const std::string& task,
                   const std::string& title) {
  Plot plot = detail::titled_plot(title, "units (independent noise sources in the layer)",
                                  "variance of one estimate (mean over units)");
  plot.log_x = plot.log_y = true;
  for (const VarianceRow& r : rows) {
    if (r.task != task) continue;
    Series& s = detail::estimator_series(plot, r.estimator);
    s.x.push_back(double(r.units));
    s.y.push_back(r.variance);
  }
  return plot;
}

Plot scaling_plot(const std::vector<ScalingRow>& rows, const std::string& task,
                  const std::string& title) {
  std::vector<VarianceRow> as_rows;
  for (const ScalingRow& r : rows) {
    VarianceRow v;
    v.task = r.task;
    v.estimator = r.estimator;
    v.units = r.units;
    v.variance = r.median;
    as_rows.push_back(v);
  }
  Plot plot = variance_plot(as_rows, task, title);
  plot.y_label = "variance / mean squared gradient (median)";
  return plot;
}

Plot toy_plot(const std::vector<ToyPoint>& points) {
  Plot plot = detail::titled_plot("toy E[(b - 0.499)^2]: mean theta over runs (lower is better)",
                                  "SGD step", "theta");
  for (const ToyPoint& p : points) {
    Series& s = detail::estimator_series(plot, p.estimator);
    s.x.push_back(double(p.step));
    s.y.push_back(p.theta_mean);
  }
  return plot;
}

}  // namespace rbmkit
