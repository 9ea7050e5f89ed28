#include "sim/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace verdict::sim {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// 1, 2 or 5 times a power of ten, about `count` steps over [lo, hi].
double nice_step(double lo, double hi, int count) {
  const double raw = (hi - lo) / count;
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

}  // namespace

std::string render_svg(const Plot& plot) {
  constexpr double W = 720, H = 440, L = 90, R = 200, T = 40, B = 60;
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const PlotSeries& s : plot.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      const double lo = i < s.low.size() && std::isfinite(s.low[i]) ? s.low[i] : s.y[i];
      const double hi = i < s.high.size() && std::isfinite(s.high[i]) ? s.high[i] : s.y[i];
      ymin = std::min({ymin, s.y[i], lo});
      ymax = std::max({ymax, s.y[i], hi});
    }
  }
  if (!std::isfinite(xmin)) xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  ymin = std::min(ymin, 0.0);  // EV plots: keep zero in view
  ymax = std::max(ymax, 0.0);
  if (xmax == xmin) xmin -= 1, xmax += 1;
  if (ymax == ymin) ymin -= 1, ymax += 1;
  const double pad = (ymax - ymin) * 0.05;
  ymin -= pad;
  ymax += pad;
  auto px = [&](double x) { return L + (x - xmin) / (xmax - xmin) * (W - L - R); };
  auto py = [&](double y) { return H - B - (y - ymin) / (ymax - ymin) * (H - T - B); };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(W / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + escape(plot.title) +
         "</text>\n";
  // Grid and ticks.
  const double xs = nice_step(xmin, xmax, 6), ys = nice_step(ymin, ymax, 6);
  for (double x = std::ceil(xmin / xs) * xs; x <= xmax + xs * 1e-9; x += xs) {
    svg += "<line x1=\"" + num(px(x)) + "\" y1=\"" + num(T) + "\" x2=\"" + num(px(x)) + "\" y2=\"" + num(H - B) +
           "\" stroke=\"#eee\"/>\n<text x=\"" + num(px(x)) + "\" y=\"" + num(H - B + 16) +
           "\" text-anchor=\"middle\">" + label(std::abs(x) < xs * 1e-9 ? 0 : x) + "</text>\n";
  }
  for (double y = std::ceil(ymin / ys) * ys; y <= ymax + ys * 1e-9; y += ys) {
    svg += "<line x1=\"" + num(L) + "\" y1=\"" + num(py(y)) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(py(y)) +
           "\" stroke=\"#eee\"/>\n<text x=\"" + num(L - 6) + "\" y=\"" + num(py(y) + 4) + "\" text-anchor=\"end\">" +
           label(std::abs(y) < ys * 1e-9 ? 0 : y) + "</text>\n";
  }
  if (ymin < 0 && ymax > 0)
    svg += "<line x1=\"" + num(L) + "\" y1=\"" + num(py(0)) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(py(0)) +
           "\" stroke=\"#888\"/>\n";
  svg += "<rect x=\"" + num(L) + "\" y=\"" + num(T) + "\" width=\"" + num(W - L - R) + "\" height=\"" +
         num(H - T - B) + "\" fill=\"none\" stroke=\"black\"/>\n";
  svg += "<text x=\"" + num(L + (W - L - R) / 2) + "\" y=\"" + num(H - 18) + "\" text-anchor=\"middle\">" +
         escape(plot.x_label) + "</text>\n";
  svg += "<text transform=\"translate(20," + num(T + (H - T - B) / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         escape(plot.y_label) + "</text>\n";
  // Series.
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const PlotSeries& s = plot.series[k];
    const std::string color = kColors[k % (sizeof kColors / sizeof kColors[0])];
    std::string path;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      path += (path.empty() ? "M" : " L") + num(px(s.x[i])) + " " + num(py(s.y[i]));
      if (i < s.low.size() && i < s.high.size() && std::isfinite(s.low[i]) && std::isfinite(s.high[i]))
        svg += "<line x1=\"" + num(px(s.x[i])) + "\" y1=\"" + num(py(s.low[i])) + "\" x2=\"" + num(px(s.x[i])) +
               "\" y2=\"" + num(py(s.high[i])) + "\" stroke=\"" + color + "\"/>\n";
      svg += "<circle cx=\"" + num(px(s.x[i])) + "\" cy=\"" + num(py(s.y[i])) + "\" r=\"3\" fill=\"" + color + "\"/>\n";
    }
    if (!path.empty()) svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>\n";
    const double ly = T + 14 + 18 * static_cast<double>(k);
    svg += "<line x1=\"" + num(W - R + 12) + "\" y1=\"" + num(ly - 4) + "\" x2=\"" + num(W - R + 32) + "\" y2=\"" +
           num(ly - 4) + "\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n<text x=\"" + num(W - R + 38) +
           "\" y=\"" + num(ly) + "\">" + escape(s.name) + "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace verdict::sim
