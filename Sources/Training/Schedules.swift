import Foundation

/// A learning rate as a function of the step.
///
/// Steps are **1-based**: `learningRate(at: s)` is the rate for the s-th optimizer step, the same
/// number as Adam's t, so call it with `optimizer.steps + 1` before `optimizer.step`. With this
/// convention the first step of a warm-up already moves (peak / warmup) and step == warmup is the
/// peak. Step 0 is allowed and never divides by zero: it gives 0 for the warm-up shapes.
/// The arithmetic is Float64; the result is rounded to Float32 once.
///
/// `Codable` with Swift's synthesised form, e.g. `{"cosine": {"peak": 3e-4, "minimum": 3e-5,
/// "warmup": 100, "total": 5000}}`. Call `validate()` after decoding user input.
public enum LearningRateSchedule: Codable, Sendable, Hashable {
    /// The same rate at every step.
    case constant(learningRate: Float)
    /// Linear warm-up then constant: lr = peak * min(1, step / warmup). `warmup` 0 means no warm-up.
    case linearWarmup(peak: Float, warmup: Int)
    /// The schedule of "Attention Is All You Need" (Vaswani et al. 2017, eq. 3; "noam" in OpenNMT):
    /// lr = modelDimension^-0.5 * min(step^-0.5, step * warmup^-1.5). Linear up to its peak
    /// (modelDimension * warmup)^-0.5 at step == warmup, then proportional to step^-0.5. 0 at step 0.
    case noam(modelDimension: Int, warmup: Int)
    /// Linear warm-up then inverse square root, with an explicit peak (the paper's shape, rescaled):
    /// lr = peak * min(step / warmup, sqrt(warmup / step)). Reaches `peak` at step == warmup. 0 at step 0.
    case inverseSquareRoot(peak: Float, warmup: Int)
    /// Linear warm-up to `peak` over `warmup` steps, then cosine decay to `minimum` at step `total`,
    /// `minimum` after it: for warmup < step < total, with progress = (step - warmup) / (total - warmup),
    /// lr = minimum + (peak - minimum) * (1 + cos(pi * progress)) / 2.
    case cosine(peak: Float, minimum: Float, warmup: Int, total: Int)

    /// The learning rate for the 1-based step `step` (>= 0).
    public func learningRate(at step: Int) -> Float {
        precondition(step >= 0, "learning-rate schedules are defined for steps >= 0, got \(step)")
        let s = Double(step)
        switch self {
        case let .constant(learningRate):
            return learningRate
        case let .linearWarmup(peak, warmup):
            return Float(Double(peak) * warmupFraction(s, warmup))
        case let .noam(modelDimension, warmup):
            guard step > 0 else { return 0 }
            let w = Double(warmup)
            return Float(pow(Double(modelDimension), -0.5) * min(pow(s, -0.5), s * pow(w, -1.5)))
        case let .inverseSquareRoot(peak, warmup):
            guard step > 0 else { return 0 }
            let w = Double(warmup)
            return Float(Double(peak) * min(s / w, (w / s).squareRoot()))
        case let .cosine(peak, minimum, warmup, total):
            if step <= warmup { return Float(Double(peak) * warmupFraction(s, warmup)) }
            if step >= total { return minimum }
            let progress = (s - Double(warmup)) / Double(total - warmup)
            let low = Double(minimum), high = Double(peak)
            return Float(low + (high - low) * (1 + cos(Double.pi * progress)) / 2)
        }
    }

    /// Throws if the schedule cannot be what its author meant (negative or non-finite rates,
    /// negative steps, a zero warm-up where the formula divides by it, a total before the warm-up ends).
    public func validate() throws {
        func fail(_ problem: String) -> LearningRateScheduleError { LearningRateScheduleError(schedule: self, problem: problem) }
        func checkRate(_ rate: Float, _ name: String) throws {
            guard rate.isFinite, rate >= 0 else { throw fail("\(name) must be a finite number >= 0, got \(rate)") }
        }
        switch self {
        case let .constant(learningRate):
            try checkRate(learningRate, "learningRate")
        case let .linearWarmup(peak, warmup):
            try checkRate(peak, "peak")
            guard warmup >= 0 else { throw fail("warmup must be >= 0 steps, got \(warmup)") }
        case let .noam(modelDimension, warmup):
            guard modelDimension >= 1 else { throw fail("modelDimension must be >= 1, got \(modelDimension)") }
            guard warmup >= 1 else { throw fail("warmup must be >= 1 step (the formula divides by it), got \(warmup)") }
        case let .inverseSquareRoot(peak, warmup):
            try checkRate(peak, "peak")
            guard warmup >= 1 else { throw fail("warmup must be >= 1 step (the formula divides by it), got \(warmup)") }
        case let .cosine(peak, minimum, warmup, total):
            try checkRate(peak, "peak")
            try checkRate(minimum, "minimum")
            guard minimum <= peak else { throw fail("minimum \(minimum) must not exceed peak \(peak)") }
            guard warmup >= 0 else { throw fail("warmup must be >= 0 steps, got \(warmup)") }
            guard total >= warmup else { throw fail("total (\(total)) must be >= warmup (\(warmup))") }
        }
    }
}

/// A learning-rate schedule whose parameters make no sense; `description` says which and why.
public struct LearningRateScheduleError: Error, CustomStringConvertible, Sendable {
    public let schedule: LearningRateSchedule
    public let problem: String
    public var description: String { "invalid learning-rate schedule \(schedule): \(problem)" }
}

/// min(1, step / warmup), and 1 when there is no warm-up.
private func warmupFraction(_ step: Double, _ warmup: Int) -> Double {
    warmup > 0 ? min(1, step / Double(warmup)) : 1
}
