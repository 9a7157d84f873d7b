import Foundation
import Plots
import Store

// The figures of a report, as Plots.Figure values built from the analysis: learning curves,
// accuracy against length with the training range marked, and final accuracy with intervals.
// Curves show the mean over the done runs of a variant with the range over seeds as a band.

/// One figure of a report: the file stem it is saved under, the figure, and a caption.
public struct ReportFigure: Sendable {
    public var name: String
    public var caption: String
    public var figure: Figure
}

extension ExperimentAnalysis {
    /// Every figure of the report, in the order the report shows them.
    public func figures() -> [ReportFigure] {
        var out: [ReportFigure] = []
        let palette = data.variants
        let metric = options.metric
        if let slices, slices.values.count > 1 {
            var marks: [Mark] = []
            if let range = slices.trainingRange {
                marks.append(Mark(from: Double(range.lowerBound) - 0.5, to: Double(range.upperBound) + 0.5,
                                  label: "seen in training"))
            }
            let series = slices.cells.map { cell -> Series in
                var points: [(x: Double, y: Double)] = []
                var band: [(x: Double, low: Double, high: Double)] = []
                for value in slices.values {
                    guard let estimate = cell.byValue[value], let mean = estimate.mean else { continue }
                    points.append((Double(value), mean))
                    band.append((Double(value), estimate.values.min() ?? mean, estimate.values.max() ?? mean))
                }
                return Series(name: cell.variant, points: points, band: band)
            }
            out.append(ReportFigure(
                name: "accuracy-by-\(slices.name)",
                caption: "Test \(metric.label) against \(slices.name) (mean over seeds; band: range over seeds). "
                    + "The shaded region marks the \(sizePlural(slices.name)) seen in training; to its right the models extrapolate.",
                figure: Figure(title: "Test \(metric.label) by \(slices.name)", xLabel: slices.name, yLabel: "test \(metric.label)",
                               series: series, kind: .linesWithBand, marks: marks, palette: palette,
                               yRange: -0.02...1.02)))
        }
        out.append(ReportFigure(
            name: "validation-accuracy",
            caption: "Validation \(metric.label) during training (mean over seeds; band: range over seeds). "
                + "A run that stopped early at the accuracy target keeps its last value.",
            figure: Figure(title: "Validation \(metric.label)", xLabel: "step", yLabel: "validation \(metric.label)",
                           series: curveSeries(split: .validation, name: metric.name, maxPoints: 200),
                           kind: .linesWithBand, palette: palette, yRange: -0.02...1.02)))
        out.append(ReportFigure(
            name: "training-loss",
            caption: "Training loss (cross-entropy per target token; averaged in bins of steps, mean over seeds; band: range over seeds).",
            figure: Figure(title: "Training loss", xLabel: "step", yLabel: "training loss",
                           series: curveSeries(split: .train, name: .loss, maxPoints: 150),
                           kind: .linesWithBand, palette: palette, logY: true)))
        out.append(finalAccuracyFigure())
        if let tuning { out += tuning.figures() }
        return out
    }

    /// Final validation and test accuracy per variant: bars at the mean, error bars at the 95% interval.
    func finalAccuracyFigure() -> ReportFigure {
        let series = variants.map { row -> Series in
            var points: [(x: Double, y: Double)] = []
            var band: [(x: Double, low: Double, high: Double)] = []
            for (x, estimate) in [(0.0, row.validation), (1.0, row.test)] {
                guard let mean = estimate.mean else { continue }
                points.append((x, mean))
                let interval = estimate.interval
                band.append((x, interval?.lower ?? mean, interval?.upper ?? mean))
            }
            return Series(name: row.name, points: points, band: band)
        }
        return ReportFigure(
            name: "final-accuracy",
            caption: "Final \(options.metric.label) per variant: mean over seeds, error bars at the 95% confidence interval "
                + "(Student t over seeds; none with a single seed).",
            figure: Figure(title: "Final \(options.metric.label)", xLabel: "", yLabel: options.metric.label,
                           series: series, kind: .bars, palette: data.variants,
                           xTicks: [Figure.Tick(value: 0, label: MetricSplit.validation.rawValue), Figure.Tick(value: 1, label: MetricSplit.test.rawValue)],
                           yRange: 0...1.05))
    }

    /// A metric of a split against the step, one series per variant over its done runs: values
    /// averaged in at most `maxPoints` bins of steps per run, then mean and range over runs. A
    /// run that ended before others of its variant keeps its last value (it stopped at the target).
    func curveSeries(split: MetricSplit, name: MetricName, maxPoints: Int) -> [Series] {
        data.variants.map { variant in
            let runs = data.runs.filter { $0.record.variant == variant && $0.record.status == .done }
                .map { $0.curve(split: split, name: name).filter { $0.value.isFinite } }
                .filter { !$0.isEmpty }
            let lastStep = runs.compactMap { $0.last?.step }.max() ?? 0
            let width = max(1, (lastStep + maxPoints) / maxPoints)
            var perBin: [Int: [Double]] = [:]
            var stepsPerBin: [Int: [Int]] = [:]
            var lastBin = 0
            var binned: [[Int: Double]] = []
            for points in runs {
                var sums: [Int: (Double, Int)] = [:]
                for point in points {
                    let bin = point.step / width
                    let sum = sums[bin] ?? (0, 0)
                    sums[bin] = (sum.0 + point.value, sum.1 + 1)
                    stepsPerBin[bin, default: []].append(point.step)
                }
                let means = sums.mapValues { $0.0 / Double($0.1) }
                lastBin = max(lastBin, means.keys.max() ?? 0)
                binned.append(means)
            }
            for means in binned {
                guard let runLast = means.keys.max() else { continue }
                for (bin, value) in means { perBin[bin, default: []].append(value) }
                // Carry the last value forward over the bins this run did not reach.
                if runLast < lastBin, let last = means[runLast] {
                    for bin in (runLast + 1)...lastBin where stepsPerBin[bin] != nil { perBin[bin, default: []].append(last) }
                }
            }
            var points: [(x: Double, y: Double)] = []
            var band: [(x: Double, low: Double, high: Double)] = []
            for bin in perBin.keys.sorted() {
                let values = perBin[bin]!
                let steps = stepsPerBin[bin]!
                let x = Double(steps.reduce(0, +)) / Double(steps.count)
                let mean = Statistics.mean(values)!
                points.append((x, mean))
                band.append((x, values.min()!, values.max()!))
            }
            return Series(name: variant, points: points, band: band)
        }
    }
}
