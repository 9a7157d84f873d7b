import Tensors

/// A fully connected layer: out = inp W^T + b.
///
/// The weight is stored (outputSize, inputSize), as in PyTorch, so checkpoints map one to one.
/// Shapes: inp is (rows, inputSize), out is (rows, outputSize); rows is B*T for a sequence batch.
public struct Linear: Sendable {
    public let inputSize: Int
    public let outputSize: Int
    /// (outputSize, inputSize)
    public let weight: ParameterSet.Slice
    /// (outputSize), or nil without a bias.
    public let bias: ParameterSet.Slice?

    /// Declares the parameters `NAME.weight` and, with `bias`, `NAME.bias`.
    public init(_ name: String, inputSize: Int, outputSize: Int, bias: Bool = true, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && outputSize > 0, "Linear \(name): sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = layout.add("\(name).weight", shape: [outputSize, inputSize])
        self.bias = bias ? layout.add("\(name).bias", shape: [outputSize]) : nil
    }

    /// PyTorch's default initialisation: weight and bias uniform in ±1/sqrt(inputSize).
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        let bound = 1 / Float(inputSize).squareRoot()
        rng.fillUniform(parameters.value(weight), count: weight.count, low: -bound, high: bound)
        if let bias { rng.fillUniform(parameters.value(bias), count: bias.count, low: -bound, high: bound) }
    }

    /// Xavier (Glorot) uniform weights, ±sqrt(6 / (inputSize + outputSize)), and zero bias.
    public func initializeXavier(_ parameters: ParameterSet, rng: inout RNG) {
        let bound = (6 / Float(inputSize + outputSize)).squareRoot()
        rng.fillUniform(parameters.value(weight), count: weight.count, low: -bound, high: bound)
        if let bias { parameters.value(bias).update(repeating: 0, count: bias.count) }
    }

    /// out = inp W^T + b.
    ///
    /// With a bias, every row of `out` starts as b and the GEMM adds inp W^T to it (beta 1): one pass
    /// over `out` fewer than a GEMM that zeroes it followed by a bias add.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int, parameters: ParameterSet) {
        // inp is (rows, IC), weight is (OC, IC), out is (rows, OC)
        let IC = inputSize, OC = outputSize
        if let bias {
            let b = parameters.value(bias)
            for r in 0..<rows { (out + r * OC).update(from: b, count: OC) }
        }
        gemm(transposeA: false, transposeB: true, m: rows, n: OC, k: IC, alpha: 1,
             a: inp, lda: IC, b: parameters.value(weight), ldb: IC, beta: bias == nil ? 0 : 1, c: out, ldc: OC)
    }

    /// Accumulates dW, db into the parameter gradients and, when `dinp` is given, dinp: added to it
    /// (`accumulate`, the default) or written over it (`accumulate: false`, which spares the caller
    /// zeroing a buffer that has no other contribution).
    public func backward(dinp: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                         rows: Int, parameters: ParameterSet, accumulate: Bool = true) {
        // dout is (rows, OC), inp is (rows, IC), dinp is (rows, IC)
        let IC = inputSize, OC = outputSize
        // out = inp W^T  =>  dinp (+)= dout W
        if let dinp {
            gemm(transposeA: false, transposeB: false, m: rows, n: IC, k: OC, alpha: 1,
                 a: dout, lda: OC, b: parameters.value(weight), ldb: IC, beta: accumulate ? 1 : 0, c: dinp, ldc: IC)
        }
        // dW += dout^T inp
        gemm(transposeA: true, transposeB: false, m: OC, n: IC, k: rows, alpha: 1,
             a: dout, lda: OC, b: inp, ldb: IC, beta: 1, c: parameters.gradient(weight), ldc: IC)
        // out = ... + b  =>  db += column sums of dout
        if let bias { addBiasBackward(dbias: parameters.gradient(bias), dout: dout, rows: rows, cols: OC) }
    }
}
