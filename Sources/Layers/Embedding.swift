import Tensors

/// A token embedding: one learned row of a (V, C) table per token, times a constant scale.
///
///     out[r, :] = scale * E[tokens[r], :]
///
/// The paper multiplies the embeddings by sqrt(C) (section 3.4); pass `scale: sqrt(C)` for that and
/// 1 for none. The table `NAME.weight` (vocabularySize, modelSize) is initialised normal(0, C^-1/2),
/// as in the paper's reference code (tensor2tensor): with scale sqrt(C) the scaled embeddings then have
/// unit variance per coordinate, comparable with the sinusoidal encodings (values in [-1, 1]) they are
/// added to, and tied output logits x E^T of a layer-normalised x (unit variance) have unit variance too.
///
/// The same table can serve as the output projection (tied input/output embeddings, section 3.4):
/// `tiedOutputForward` computes logits = x E^T, without the scale (as in tensor2tensor).
/// Shapes: tokens is (rows), out is (rows, modelSize); rows is B*T for a sequence batch.
public struct Embedding: Sendable {
    /// V
    public let vocabularySize: Int
    /// C
    public let modelSize: Int
    /// Multiplies every embedding on the way out: sqrt(modelSize) in the paper, 1 for none.
    public let scale: Float
    /// (vocabularySize, modelSize)
    public let weight: ParameterSet.Slice

    /// Declares the table `NAME.weight` (vocabularySize, modelSize).
    public init(_ name: String, vocabularySize: Int, modelSize: Int, scale: Float = 1, layout: inout ParameterLayout) {
        precondition(vocabularySize > 0 && modelSize > 0, "Embedding \(name): sizes must be positive")
        precondition(scale.isFinite, "Embedding \(name): scale must be finite, got \(scale)")
        self.vocabularySize = vocabularySize
        self.modelSize = modelSize
        self.scale = scale
        weight = layout.add("\(name).weight", shape: [vocabularySize, modelSize])
    }

    /// The table normal with mean 0 and standard deviation modelSize^-1/2 (tensor2tensor's choice).
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        rng.fillNormal(parameters.value(weight), count: weight.count, mean: 0,
                       standardDeviation: 1 / Float(modelSize).squareRoot())
    }

    /// out[r, :] = scale * E[tokens[r], :]. Every token id must lie in 0..<vocabularySize (a precondition).
    public func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, rows: Int, parameters: ParameterSet) {
        // tokens is (rows), table is (V, C), out is (rows, C)
        let V = vocabularySize, C = modelSize
        embeddingForward(out: out, tokens: tokens, table: parameters.value(weight), rows: rows, V: V, C: C)
        if scale != 1 { scaleValues(out: out, inp: out, factor: scale, count: rows * C) }
    }

    /// Accumulates dE[tokens[r], :] += scale * dout[r, :] into the table gradient (a scatter-add: a
    /// token that occurs several times receives the sum of its rows).
    public func backward(dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, rows: Int, parameters: ParameterSet) {
        // dout is (rows, C), tokens is (rows), dtable is (V, C)
        let V = vocabularySize, C = modelSize
        if scale == 1 {
            embeddingBackward(dtable: parameters.gradient(weight), dout: dout, tokens: tokens, rows: rows, V: V, C: C)
            return
        }
        let dtable = parameters.gradient(weight)
        for r in 0..<rows {
            let token = Int(tokens[r])
            precondition(token >= 0 && token < V, "Embedding: token id \(token) at row \(r) is outside 0..<\(V)")
            // out[r, :] = scale * E[token, :]
            axpy(y: dtable + token * C, alpha: scale, x: dout + r * C, count: C)
        }
    }

    /// The tied output projection: logits = inp E^T, one score per vocabulary entry (no scale, no bias).
    public func tiedOutputForward(logits: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int,
                                  parameters: ParameterSet) {
        // inp is (rows, C), table is (V, C), logits is (rows, V)
        let V = vocabularySize, C = modelSize
        gemm(transposeA: false, transposeB: true, m: rows, n: V, k: C, alpha: 1,
             a: inp, lda: C, b: parameters.value(weight), ldb: C, beta: 0, c: logits, ldc: V)
    }

    /// The backward of `tiedOutputForward`: accumulates dE += dlogits^T inp into the table gradient
    /// (on top of whatever the input embedding's backward adds) and, when given, dinp += dlogits E.
    public func tiedOutputBackward(dinp: UnsafeMutablePointer<Float>?, dlogits: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                   rows: Int, parameters: ParameterSet) {
        // dlogits is (rows, V), inp is (rows, C), dinp is (rows, C), dtable is (V, C)
        let V = vocabularySize, C = modelSize
        // logits = inp E^T  =>  dinp += dlogits E
        if let dinp {
            gemm(transposeA: false, transposeB: false, m: rows, n: C, k: V, alpha: 1,
                 a: dlogits, lda: V, b: parameters.value(weight), ldb: C, beta: 1, c: dinp, ldc: C)
        }
        // dE += dlogits^T inp
        gemm(transposeA: true, transposeB: false, m: V, n: C, k: rows, alpha: 1,
             a: dlogits, lda: V, b: inp, ldb: C, beta: 1, c: parameters.gradient(weight), ldc: C)
    }
}
