#pragma once
/// The files and figures of the estimator study (estimator_study.hpp): CSV tables with a header
/// line and numbers of 9 significant digits, and log–log or learning-curve plots (rbmkit/plots/plot.hpp)
/// with one line per estimator in the estimator's own palette colour.
#include <ostream>
#include <string>
#include <vector>

#include "rbmkit/studies/estimator_study.hpp"
#include "rbmkit/plots/plot.hpp"

namespace rbmkit {

/// Writes the header task,estimator,units,samples,bias,bias_stderr,max_z,variance and the rows.
void write_variance_csv(std::ostream& os, const std::vector<VarianceRow>& rows);
/// Writes task,units,grad_norm,mean_sq_gradient,expected_loss and the rows.
void write_signal_csv(std::ostream& os, const std::vector<TaskSignal>& signals);
/// Writes task,estimator,units,instances,samples,median,min,max and the rows.
void write_scaling_csv(std::ostream& os, const std::vector<ScalingRow>& rows);
/// Writes estimator,step,theta_mean,theta_sd,expected_loss and the points.
void write_toy_csv(std::ostream& os, const std::vector<ToyPoint>& points);

/// Log–log plot of variance against units, one line per estimator, for the rows of `task`.
Plot variance_plot(const std::vector<VarianceRow>& rows, const std::string& task,
                   const std::string& title);
/// Log–log plot of the median relative variance against units, one line per estimator.
Plot scaling_plot(const std::vector<ScalingRow>& rows, const std::string& task,
                  const std::string& title);
/// Toy learning curves: mean θ against step, one line per estimator.
Plot toy_plot(const std::vector<ToyPoint>& points);

}  // namespace rbmkit
