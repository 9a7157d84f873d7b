// Plain records a figure is built from. Plots never sees tensors: callers
// (Reports, the CLI) turn store rows into these values.

/// One named curve (or one group of bars), e.g. one variant averaged over seeds.
public struct Series: Sendable {
    /// The label in the key; usually the variant name. May hold any text:
    /// it is escaped before it reaches gnuplot.
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// Optional spread per x (e.g. min/max or a confidence interval across seeds).
    /// Drawn as a shaded band for `.linesWithBand`, as error bars for `.bars`.
    public var band: [(x: Double, low: Double, high: Double)]?

    public init(
        name: String,
        points: [(x: Double, y: Double)],
        band: [(x: Double, low: Double, high: Double)]? = nil
    ) {
        self.name = name
        self.points = points
        self.band = band
    }
}

/// A shaded x range behind the data, e.g. the sequence lengths seen in training.
public struct Mark: Sendable, Equatable {
    public var from: Double
    public var to: Double
    /// Optional text drawn at the top of the range (escaped like every label).
    public var label: String?

    public init(from: Double, to: Double, label: String? = nil) {
        self.from = from
        self.to = to
        self.label = label
    }
}

public struct Figure: Sendable {
    /// A labelled tick on the x axis, e.g. a variant's name at its bar's position,
    /// or "validation" and "test" under two groups of bars. The label may hold
    /// any text: it is escaped before it reaches gnuplot.
    public struct Tick: Sendable, Equatable {
        public var value: Double
        public var label: String

        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    public enum Kind: Sendable, Equatable {
        /// One line with points per series.
        case lines
        /// Lines plus a translucent band from each series' `band`.
        case linesWithBand
        /// Side-by-side bars per x, with error bars from each series' `band`.
        case bars
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var kind: Kind
    public var marks: [Mark]
    /// Every variant name of the experiment, in a fixed order. A series' colour
    /// is the palette entry at its name's position here, so a variant keeps its
    /// colour in every figure. Names missing from the list get a colour from a
    /// stable hash of the name.
    public var palette: [String]
    public var logX: Bool
    public var logY: Bool
    /// Named x ticks replacing gnuplot's numeric ones; empty keeps the numbers.
    /// Labels longer than `Figure.rotateTicksAfter` characters are drawn rotated,
    /// and ones longer than `Figure.longestTick` are shortened with an ellipsis.
    public var xTicks: [Tick]
    /// A fixed y range (e.g. 0...1 for accuracies); nil lets gnuplot choose
    /// (from 0 for `.bars`). An infinite bound is left to gnuplot.
    public var yRange: ClosedRange<Double>?
    /// A fixed x range; nil lets gnuplot choose (bars set their own).
    public var xRange: ClosedRange<Double>?

    /// Tick labels longer than this (in characters) make all x tick labels rotated.
    public static let rotateTicksAfter = 8
    /// Tick labels longer than this are shortened with an ellipsis in the ticks.
    public static let longestTick = 24

    public init(
        title: String,
        xLabel: String,
        yLabel: String,
        series: [Series],
        kind: Kind = .lines,
        marks: [Mark] = [],
        palette: [String] = [],
        logX: Bool = false,
        logY: Bool = false,
        xTicks: [Tick] = [],
        yRange: ClosedRange<Double>? = nil,
        xRange: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.kind = kind
        self.marks = marks
        self.palette = palette
        self.logX = logX
        self.logY = logY
        self.xTicks = xTicks
        self.yRange = yRange
        self.xRange = xRange
    }
}
