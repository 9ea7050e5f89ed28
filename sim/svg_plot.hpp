#pragma once
// A small, dependency-free SVG line chart: one or more series of (x, y) points with
// optional error bars, linear axes with tick labels, a legend. Deterministic output
// (fixed number formatting), so reports stay byte-identical for a seed.

#include <string>
#include <vector>

namespace verdict::sim {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> low, high;  // error bars (empty: none); same length as y
};

struct Plot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<PlotSeries> series;
};

// Non-finite points are skipped; an empty plot still renders its frame.
std::string render_svg(const Plot& plot);

}  // namespace verdict::sim
