import Tensors

/// Compares an analytic gradient with central differences of a Float32 forward pass.
///
/// For layers and models there is no independent Float64 forward, so the loss is computed by the
/// real Float32 code: L(x) = sum_i w_i * out_i(x), accumulated in Float64, with fixed random w.
/// With eps = 1e-3 the truncation error is O(eps^2) ~ 1e-6 and the rounding error about
/// 1e-7 * |terms| / eps ~ 1e-4, so the tolerances below (absolute 2e-3, relative 2e-2) hold for a
/// correct backward and are still far tighter than the O(1) errors a wrong rule produces.
public struct GradientCheck {
    public var epsilon: Float = 1e-3
    public var absolute: Double = 2e-3
    public var relative: Double = 2e-2
    /// At most this many coordinates are probed per buffer (evenly spread); all when fewer.
    public var maximumProbes = 64

    public init() {}

    /// The outcome for one buffer: the worst coordinate and how far it was from tolerance (<= 1 passes).
    public struct Outcome: CustomStringConvertible {
        public var ratio: Double
        public var index: Int
        public var analytic: Double
        public var numeric: Double
        public var probes: Int
        public var passed: Bool { ratio <= 1 }
        public var description: String {
            "worst at \(index): analytic \(analytic), numeric \(numeric) (ratio \(ratio) over \(probes) probes)"
        }
    }

    /// Probes `buffer` (whose analytic gradient is `analytic`) by perturbing it in place and calling
    /// `loss`, which must run the forward pass and return the scalar loss. The buffer is restored.
    public func check(buffer: UnsafeMutablePointer<Float>, count: Int, analytic: [Float], loss: () -> Double) -> Outcome {
        precondition(analytic.count == count, "\(analytic.count) gradients for \(count) values")
        let step = max(1, count / maximumProbes)
        var outcome = Outcome(ratio: 0, index: -1, analytic: 0, numeric: 0, probes: 0)
        var i = 0
        while i < count {
            let saved = buffer[i]
            buffer[i] = saved + epsilon
            let up = loss()
            buffer[i] = saved - epsilon
            let down = loss()
            buffer[i] = saved
            // The step actually taken in Float32, not the nominal epsilon.
            let h = Double(saved + epsilon) - Double(saved - epsilon)
            let numeric = (up - down) / h
            let ratio = abs(Double(analytic[i]) - numeric) / (absolute + relative * abs(numeric))
            if ratio > outcome.ratio || outcome.index < 0 || ratio.isNaN {
                outcome = Outcome(ratio: ratio.isNaN ? .infinity : ratio, index: i, analytic: Double(analytic[i]),
                                  numeric: numeric, probes: outcome.probes)
            }
            outcome.probes += 1
            i += step
        }
        return outcome
    }
}

/// sum_i w_i * x_i in Float64: the scalar projection of a forward output used by gradient checks.
public func weightedSum(_ x: UnsafePointer<Float>, _ w: [Float]) -> Double {
    var sum = 0.0
    for i in 0..<w.count { sum += Double(w[i]) * Double(x[i]) }
    return sum
}
