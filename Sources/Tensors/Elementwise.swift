import CKernels

// Element-wise kernels and flat reductions: residual adds, bias adds, scaling, products, copies, and the
// sum of squares behind gradient-norm clipping. Each backward accumulates (+=) into its gradients.
// Every output may be the same buffer as an input of the same shape (in place), since element i of
// the output depends only on element i of the inputs.

/// Copies `count` values.
///
///     out[i] = inp[i]
///
/// Shapes: inp and out are (count). The buffers must not partly overlap.
public func copyValues(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    // inp is (count), out is (count)
    precondition(count >= 0, "copy: count must be non-negative, got \(count)")
    if UnsafePointer(out) == inp { return }
    out.update(from: inp, count: count)
}

/// Element-wise sum, as in a residual connection `x = x + f(x)`.
///
///     out[i] = a[i] + b[i]
///
/// Its backward is `addBackward`. Shapes: a, b and out are (count).
public func add(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) {
    // a and b are (count), out is (count)
    precondition(count >= 0, "add: count must be non-negative, got \(count)")
    for i in 0..<count { out[i] = a[i] + b[i] }
}

/// Backward of `add`: the gradient flows unchanged to both inputs.
///
///     forward:  out[i] = a[i] + b[i]
///     backward: da[i] += dout[i],  db[i] += dout[i]
///
/// Shapes: da, db and dout are (count). `da` and `db` must be different buffers.
public func addBackward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, count: Int) {
    // dout is (count), da and db are (count)
    precondition(count >= 0, "addBackward: count must be non-negative, got \(count)")
    precondition(da != db, "addBackward: da and db must be different buffers")
    for i in 0..<count {
        let g = dout[i]
        da[i] += g
        db[i] += g
    }
}

/// Multiplies by a constant.
///
///     out[i] = factor * inp[i]
///
/// Its backward is `axpy(y: dinp, alpha: factor, x: dout, count: count)`. Shapes: inp and out are (count).
public func scaleValues(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, factor: Float, count: Int) {
    // inp is (count), out is (count)
    precondition(count >= 0, "scale: count must be non-negative, got \(count)")
    for i in 0..<count { out[i] = factor * inp[i] }
}

/// Adds a multiple of one vector to another (BLAS saxpy), in place on `y`.
///
///     y[i] += alpha * x[i]
///
/// Shapes: x and y are (count).
public func axpy(y: UnsafeMutablePointer<Float>, alpha: Float, x: UnsafePointer<Float>, count: Int) {
    // x is (count), y is (count)
    precondition(count >= 0, "axpy: count must be non-negative, got \(count)")
    for i in 0..<count { y[i] += alpha * x[i] }
}

/// Element-wise (Hadamard) product, as in a gate.
///
///     out[i] = a[i] * b[i]
///
/// Its backward is `multiplyBackward`. Shapes: a, b and out are (count).
public func multiply(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) {
    // a and b are (count), out is (count)
    precondition(count >= 0, "multiply: count must be non-negative, got \(count)")
    for i in 0..<count { out[i] = a[i] * b[i] }
}

/// Backward of `multiply`.
///
///     forward:  out[i] = a[i] * b[i]
///     backward: da[i] += dout[i] * b[i],  db[i] += dout[i] * a[i]
///
/// `a` and `b` are the forward's inputs. Shapes: all are (count). `da` and `db` must be different
/// buffers (for out = a * a, call with `a` for both inputs and add the two halves yourself).
public func multiplyBackward(
    da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int
) {
    // dout, a and b are (count), da and db are (count)
    precondition(count >= 0, "multiplyBackward: count must be non-negative, got \(count)")
    precondition(da != db, "multiplyBackward: da and db must be different buffers")
    for i in 0..<count {
        let g = dout[i]
        da[i] += g * b[i]
        db[i] += g * a[i]
    }
}

/// Adds a bias vector to every row.
///
///     out[r, c] = inp[r, c] + bias[c]
///
/// `out` may be `inp` (in place). The gradient with respect to `inp` is `dout` itself; the bias
/// gradient is `addBiasBackward`. Shapes: inp and out are (rows, cols), bias is (cols).
public func addBias(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int) {
    // inp is (rows, cols), bias is (cols), out is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "addBias: sizes must be non-negative, got (\(rows), \(cols))")
    for r in 0..<rows {
        let x = inp + r * cols
        let y = out + r * cols
        for c in 0..<cols { y[c] = x[c] + bias[c] }
    }
}

/// Backward of `addBias` for the bias: the column sums of the output gradient.
///
///     forward:  out[r, c] = inp[r, c] + bias[c]
///     backward: dbias[c] += sum_r dout[r, c]
///
/// Shapes: dout is (rows, cols), dbias is (cols).
public func addBiasBackward(dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, rows: Int, cols: Int) {
    // dout is (rows, cols), dbias is (cols)
    precondition(rows >= 0 && cols >= 0, "addBiasBackward: sizes must be non-negative, got (\(rows), \(cols))")
    ablate_add_bias_backward(dbias, dout, Int64(rows), Int64(cols))
}

/// The sum of squares of `count` values, accumulated in Float64: the squared L2 norm used for
/// gradient-norm clipping.
///
///     result = sum_i x[i]^2
///
/// Shapes: x is (count).
public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
    // x is (count)
    precondition(count >= 0, "sumOfSquares: count must be non-negative, got \(count)")
    // four independent accumulators: shorter dependency chain, and the order is fixed (deterministic)
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= count {
        let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
        s0 += a * a
        s1 += b * b
        s2 += c * c
        s3 += d * d
        i += 4
    }
    while i < count {
        let a = Double(x[i])
        s0 += a * a
        i += 1
    }
    return (s0 + s1) + (s2 + s3)
}
