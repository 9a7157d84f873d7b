import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Element-wise activations: ReLU, GELU (exact, and the tanh approximation), tanh and sigmoid.
// Every function works on `count` contiguous values; the shape of the tensor does not matter.
// Backward passes accumulate into `dinp`. ReLU and GELU differentiate from the saved input; tanh and
// sigmoid from the saved output (their derivatives are cheapest in terms of it).

/// ReLU: out = max(0, inp), vectorised.
public func reluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    precondition(count >= 0, "reluForward: count must be non-negative, got \(count)")
    ablate_relu_forward(out, inp, Int64(count))
}

/// The naive twin of `reluForward`.
public func reluForwardNaive(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    for i in 0..<count {
        out[i] = inp[i] > 0 ? inp[i] : 0
    }
}

/// The backward of `reluForward`: dinp += dout * [inp > 0], vectorised; with `accumulate: false`,
/// dinp = dout * [inp > 0] (written over, so the caller need not zero it; dinp may then be dout).
///
/// At inp == 0 exactly the derivative is taken as 0 (the subgradient PyTorch and llm.c use).
public func reluBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int,
                         accumulate: Bool = true) {
    // inp is (count), dout is (count), dinp is (count)
    precondition(count >= 0, "reluBackward: count must be non-negative, got \(count)")
    ablate_relu_backward(dinp, dout, inp, Int64(count), accumulate ? 1 : 0)
}

/// The naive twin of `reluBackward`.
public func reluBackwardNaive(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), dout is (count), dinp is (count)
    for i in 0..<count {
        // forward: out = inp > 0 ? inp : 0
        dinp[i] += inp[i] > 0 ? dout[i] : 0
    }
}

/// sqrt(2 / pi), the scaling inside GELU's tanh approximation.
private let geluScaling: Float = 0.797_884_560_802_865_4
private let geluCubic: Float = 0.044_715
/// 1 / sqrt(2) and 1 / sqrt(2 pi), for the exact GELU and its derivative.
private let inverseSquareRootTwo: Float = 0.707_106_781_186_547_5
private let inverseSquareRootTwoPi: Float = 0.398_942_280_401_432_7

/// GELU, exact (Hendrycks and Gimpel; PyTorch's `nn.GELU()`, JAX's `approximate=False`):
/// out = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt 2)), in Float32 with the C library's erff.
public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    precondition(count >= 0, "geluForward: count must be non-negative, got \(count)")
    for i in 0..<count {
        let x = inp[i]
        out[i] = 0.5 * x * (1 + erff(x * inverseSquareRootTwo))
    }
}

/// The naive twin of `geluForward`: the same formula in Float64, rounded once.
public func geluForwardNaive(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    for i in 0..<count {
        let x = Double(inp[i])
        out[i] = Float(0.5 * x * (1 + erf(x / 2.0.squareRoot())))
    }
}

/// The backward of `geluForward` (exact), from the saved input:
/// d out / dx = Phi(x) + x * phi(x), with phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
public func geluBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), dout is (count), dinp is (count)
    precondition(count >= 0, "geluBackward: count must be non-negative, got \(count)")
    for i in 0..<count {
        // forward: out = 0.5 * x * (1 + erf(x / sqrt 2))
        let x = inp[i]
        let cdf = 0.5 * (1 + erff(x * inverseSquareRootTwo))
        let pdf = inverseSquareRootTwoPi * expf(-0.5 * x * x)
        dinp[i] += (cdf + x * pdf) * dout[i]
    }
}

/// The naive twin of `geluBackward`, in Float64.
public func geluBackwardNaive(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), dout is (count), dinp is (count)
    for i in 0..<count {
        let x = Double(inp[i])
        let local = 0.5 * (1 + erf(x / 2.0.squareRoot())) + x * exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        dinp[i] = Float(Double(dinp[i]) + local * Double(dout[i]))
    }
}

/// GELU in the tanh approximation of GPT-2 (and llm.c), `activation = "gelu_tanh"`:
/// out = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))). About 1.5e-4 from the exact form at x = 1.
public func geluTanhForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    precondition(count >= 0, "geluTanhForward: count must be non-negative, got \(count)")
    for i in 0..<count {
        let x = inp[i]
        let u = geluScaling * (x + geluCubic * x * x * x)
        out[i] = 0.5 * x * (1 + tanhf(u))
    }
}

/// The naive twin of `geluTanhForward`: the same formula in Float64, rounded once.
public func geluTanhForwardNaive(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    for i in 0..<count {
        let x = Double(inp[i])
        out[i] = Float(0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))))
    }
}

/// The backward of `geluTanhForward`, from the saved input:
/// with u = sqrt(2/pi) * (x + 0.044715 x^3),
/// d out / dx = 0.5 * (1 + tanh u) + 0.5 * x * (1 - tanh^2 u) * sqrt(2/pi) * (1 + 3 * 0.044715 x^2).
/// 1 - tanh^2 u stands for sech^2 u, so a large |u| gives 0 rather than an overflowing cosh.
public func geluTanhBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), dout is (count), dinp is (count)
    precondition(count >= 0, "geluTanhBackward: count must be non-negative, got \(count)")
    for i in 0..<count {
        // forward: out = 0.5 * x * (1 + tanh(u)), u = sqrt(2/pi) * (x + 0.044715 * x^3)
        let x = inp[i]
        let u = geluScaling * (x + geluCubic * x * x * x)
        let t = tanhf(u)
        let sech2 = 1 - t * t
        let local = 0.5 * (1 + t) + 0.5 * x * sech2 * geluScaling * (1 + 3 * geluCubic * x * x)
        dinp[i] += local * dout[i]
    }
}

/// The naive twin of `geluTanhBackward`, in Float64.
public func geluTanhBackwardNaive(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), dout is (count), dinp is (count)
    let scaling = (2 / Double.pi).squareRoot()
    for i in 0..<count {
        let x = Double(inp[i])
        let t = tanh(scaling * (x + 0.044715 * x * x * x))
        let local = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * scaling * (1 + 3 * 0.044715 * x * x)
        dinp[i] = Float(Double(dinp[i]) + local * Double(dout[i]))
    }
}

/// tanh: out = tanh(inp), vectorised (relative error below 4e-7): the C kernel at the CPU's vector width,
/// `vectorTanh` lane by lane (the same bits).
public func tanhForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    ablate_tanh(out, inp, Int64(count))
}

/// The naive twin of `tanhForward`: tanhf one element at a time.
public func tanhForwardNaive(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    for i in 0..<count {
        out[i] = tanhf(inp[i])
    }
}

/// The backward of `tanhForward`, from the saved OUTPUT: dinp += dout * (1 - out^2).
public func tanhBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, count: Int) {
    // out is (count), dout is (count), dinp is (count)
    for i in 0..<count {
        // forward: out = tanh(inp)
        let y = out[i]
        dinp[i] += (1 - y * y) * dout[i]
    }
}

/// The logistic sigmoid: out = 1 / (1 + exp(-inp)), vectorised (`vectorSigmoid`: relative error below
/// 4e-7 for inp > -87.3; below, tiny positive values rather than 0, as the naive twin).
/// The C kernel gives `vectorSigmoid`'s bits lane by lane.
public func sigmoidForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    ablate_sigmoid(out, inp, Int64(count))
}

/// The naive twin of `sigmoidForward`, one element at a time.
///
/// Computed as 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) for x < 0, so exp never overflows
/// and very negative inputs give tiny positive values rather than 0 / inf.
public func sigmoidForwardNaive(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    for i in 0..<count {
        let x = inp[i]
        if x >= 0 {
            out[i] = 1 / (1 + expf(-x))
        } else {
            let e = expf(x)
            out[i] = e / (1 + e)
        }
    }
}

/// The backward of `sigmoidForward`, from the saved OUTPUT: dinp += dout * out * (1 - out).
public func sigmoidBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, count: Int) {
    // out is (count), dout is (count), dinp is (count)
    for i in 0..<count {
        // forward: out = 1 / (1 + exp(-inp))
        let y = out[i]
        dinp[i] += y * (1 - y) * dout[i]
    }
}

/// out[i] = f(inp[i]) over whole vectors, then one partial vector. `out` may be `inp`.
@inline(__always)
func mapVectors(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int,
                _ f: (FloatVector) -> FloatVector) {
    let width = FloatVector.scalarCount
    var i = 0
    while i + width <= count {
        storeVector(f(loadVector(inp + i)), out + i)
        i += width
    }
    if i < count { storePartial(f(loadPartial(inp + i, count: count - i, fill: 0)), out + i, count: count - i) }
}
