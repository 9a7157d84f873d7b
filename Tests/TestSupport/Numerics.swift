import Tensors

// Helpers shared by the test targets: random data, finite differences, and comparisons with
// explicit tolerances. They return numbers; the tests decide what to assert.

/// `count` uniform values in [low, high) from a seeded stream (the same values on every run).
public func randomFloats(_ count: Int, seed: UInt64, low: Float = -1, high: Float = 1) -> [Float] {
    var rng = RNG(seed: seed, purpose: .other, substream: 7)
    return (0..<count).map { _ in low + (high - low) * rng.uniform() }
}

/// A tensor of the given shape filled with seeded uniform values.
public func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    Tensor(shape: shape, values: randomFloats(shape.reduce(1, *), seed: seed, low: low, high: high))
}

/// The gradient of a scalar function by central differences, (f(x + eps e_i) - f(x - eps e_i)) / 2 eps.
///
/// Use it on a Float64 reference implementation of the forward pass: with eps = 1e-6 the truncation
/// error is O(eps^2) and the rounding error about 1e-16 / eps = 1e-10, so the result is accurate to
/// far better than the Float32 backward it is compared with.
public func numericalGradient(at x: [Double], epsilon: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var point = x
    var gradient = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let saved = point[i]
        point[i] = saved + epsilon
        let up = f(point)
        point[i] = saved - epsilon
        let down = f(point)
        point[i] = saved
        gradient[i] = (up - down) / (2 * epsilon)
    }
    return gradient
}

/// The worst element-wise error of `actual` against `expected`, measured as
/// |a - e| / (absolute + relative * |e|): a value <= 1 means every element is within tolerance.
/// Returns the worst ratio and its index.
public func worstError(_ actual: [Float], _ expected: [Double], relative: Double, absolute: Double) -> (ratio: Double, index: Int) {
    precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
    var worst = 0.0, worstIndex = -1
    for i in 0..<actual.count {
        let a = Double(actual[i]), e = expected[i]
        let ratio: Double
        if a.isNaN || e.isNaN || a.isInfinite != e.isInfinite {
            ratio = .infinity
        } else if a.isInfinite {
            ratio = a == e ? 0 : .infinity
        } else {
            ratio = abs(a - e) / (absolute + relative * abs(e))
        }
        if ratio > worst || worstIndex < 0 { worst = max(worst, ratio); worstIndex = ratio >= worst ? i : worstIndex }
    }
    return (worst, worstIndex)
}

/// `worstError` for two Float arrays.
public func worstError(_ actual: [Float], _ expected: [Float], relative: Double, absolute: Double) -> (ratio: Double, index: Int) {
    worstError(actual, expected.map(Double.init), relative: relative, absolute: absolute)
}

/// The values of a tensor as Float64.
public func doubles(_ tensor: Tensor) -> [Double] { tensor.array.map(Double.init) }
