#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// How a Transformer learns where a token is.
public enum PositionalEncodingKind: String, Sendable, CaseIterable {
    /// No position information: an encoder is then permutation-equivariant (the ablation's control).
    case none
    /// The paper's fixed sines and cosines added to the embeddings (`addSinusoidal`).
    case sinusoidal
    /// A trained (maxLength, C) table added to the embeddings (`LearnedPositionalEncoding`).
    case learned
    /// Rotary position embeddings (Su et al., 2021): rotates queries and keys inside attention, not the embeddings.
    case rope
    /// ALiBi (Press et al., 2022): a per-head linear distance bias on attention scores, not on the embeddings.
    case alibi
}

// MARK: - Sinusoidal

/// The paper's sinusoidal encoding (section 3.5) for positions offset..<offset+T:
///
///     PE(pos, 2i)   = sin(pos / 10000^(2i/C))
///     PE(pos, 2i+1) = cos(pos / 10000^(2i/C))
///
/// computed in Float64 and rounded once, so large positions keep their precision. An odd C ends with
/// a sine. Shapes: out is (length, modelSize); row t holds position offset + t.
public func sinusoidalEncoding(out: UnsafeMutablePointer<Float>, length: Int, modelSize: Int, offset: Int = 0) {
    // out is (T, C)
    let T = length, C = modelSize
    precondition(T >= 0 && C > 0 && offset >= 0, "sinusoidalEncoding: bad sizes length=\(T) modelSize=\(C) offset=\(offset)")
    for t in 0..<T {
        let row = out + t * C
        for c in 0..<C { row[c] = sinusoidalValue(position: offset + t, dimension: c, modelSize: C) }
    }
}

/// One entry of the sinusoidal table: PE(position, dimension) for a model of size C.
@inline(__always)
func sinusoidalValue(position: Int, dimension: Int, modelSize: Int) -> Float {
    let pair = dimension / 2  // i in the paper's 2i, 2i+1
    let angle = Double(position) / pow(10_000, Double(2 * pair) / Double(modelSize))
    return Float(dimension % 2 == 0 ? sin(angle) : cos(angle))
}

/// Adds the sinusoidal encoding of positions offset..<offset+T to every sequence of a batch, in place:
///
///     x[b, t, :] += PE(offset + t, :)
///
/// No parameters, and the backward is the identity (d x += d out), so there is no backward function:
/// the gradient flows on unchanged to the embeddings. The table is recomputed on each call (T*C sines
/// and cosines, C/2 powers, each row shared by the B sequences) in stack scratch, so nothing is
/// allocated; the values are exactly `sinusoidalValue`'s. Shapes: x is (batch, length, modelSize).
public func addSinusoidal(to x: UnsafeMutablePointer<Float>, batch: Int, length: Int, modelSize: Int, offset: Int = 0) {
    // x is (B, T, C)
    let B = batch, T = length, C = modelSize
    precondition(B >= 0 && T >= 0 && C > 0 && offset >= 0,
                 "addSinusoidal: bad sizes batch=\(B) length=\(T) modelSize=\(C) offset=\(offset)")
    withUnsafeTemporaryAllocation(of: Double.self, capacity: (C + 1) / 2) { denominators in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: C) { row in
            // the denominators 10000^(2i/C), as sinusoidalValue computes them
            for pair in 0..<(C + 1) / 2 { denominators[pair] = pow(10_000, Double(2 * pair) / Double(C)) }
            for t in 0..<T {
                let position = Double(offset + t)
                for c in 0..<C {
                    let angle = position / denominators[c / 2]
                    row[c] = Float(c % 2 == 0 ? sin(angle) : cos(angle))
                }
                for b in 0..<B { axpy(y: x + (b * T + t) * C, alpha: 1, x: row.baseAddress!, count: C) }
            }
        }
    }
}

// MARK: - Learned

/// A learned absolute positional encoding (as in BERT and GPT-2): a trained table added to the embeddings.
///
///     x[b, t, :] += P[offset + t, :]
///
/// The table `NAME.weight` (maxLength, modelSize) is initialised normal(0, 0.02), the GPT-2/BERT choice
/// (the paper, which found learned and sinusoidal encodings nearly equal, does not give one). Positions
/// at or past `maxLength` have no row, so such a model cannot extrapolate to longer sequences: asking for
/// them is a precondition failure (experiment validation reports it to users as an error first).
public struct LearnedPositionalEncoding: Sendable {
    /// The number of positions in the table.
    public let maxLength: Int
    /// C
    public let modelSize: Int
    /// (maxLength, modelSize)
    public let weight: ParameterSet.Slice

    /// Declares the table `NAME.weight` (maxLength, modelSize).
    public init(_ name: String, maxLength: Int, modelSize: Int, layout: inout ParameterLayout) {
        precondition(maxLength > 0 && modelSize > 0, "LearnedPositionalEncoding \(name): sizes must be positive")
        self.maxLength = maxLength
        self.modelSize = modelSize
        weight = layout.add("\(name).weight", shape: [maxLength, modelSize])
    }

    /// The table normal with mean 0 and standard deviation 0.02.
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        rng.fillNormal(parameters.value(weight), count: weight.count, mean: 0, standardDeviation: 0.02)
    }

    /// x[b, t, :] += P[offset + t, :] in place. Shapes: x is (batch, length, modelSize).
    public func add(to x: UnsafeMutablePointer<Float>, batch: Int, length: Int, offset: Int = 0, parameters: ParameterSet) {
        // x is (B, T, C), table is (maxLength, C)
        let B = batch, T = length, C = modelSize
        checkFits(batch: B, length: T, offset: offset)
        let table = parameters.value(weight) + offset * C
        for b in 0..<B {
            Tensors.add(out: x + b * T * C, a: x + b * T * C, b: table, count: T * C)
        }
    }

    /// Accumulates dP[offset + t, :] += sum_b dout[b, t, :] into the table gradient.
    ///
    /// The gradient with respect to x is dout itself (an addition), so the caller passes dout on unchanged.
    public func backward(dout: UnsafePointer<Float>, batch: Int, length: Int, offset: Int = 0, parameters: ParameterSet) {
        // dout is (B, T, C), dtable is (maxLength, C)
        let B = batch, T = length, C = modelSize
        checkFits(batch: B, length: T, offset: offset)
        let dtable = parameters.gradient(weight) + offset * C
        for b in 0..<B {
            // x[b, t, :] += P[offset + t, :]
            axpy(y: dtable, alpha: 1, x: dout + b * T * C, count: T * C)
        }
    }

    /// The first `length` rows of the table, (length, modelSize), for plots.
    public func matrix(length: Int, parameters: ParameterSet) -> [Float] {
        checkFits(batch: 1, length: length, offset: 0)
        return Array(UnsafeBufferPointer(start: parameters.value(weight), count: length * modelSize))
    }

    private func checkFits(batch: Int, length: Int, offset: Int) {
        precondition(batch >= 0 && length >= 0 && offset >= 0,
                     "LearnedPositionalEncoding: bad sizes batch=\(batch) length=\(length) offset=\(offset)")
        precondition(offset + length <= maxLength,
                     "sequence of length \(offset + length) is longer than the learned positional table (maxLength \(maxLength)): raise max_length or shorten the sequences")
    }
}

// MARK: - Plots

/// The fixed positional table of `kind` for positions 0..<length, (length, modelSize) row-major, for plots;
/// nil for kinds without a fixed table (none; learned, whose table is trained: see
/// `LearnedPositionalEncoding.matrix`; rope and alibi, which act inside attention).
public func positionalMatrix(kind: PositionalEncodingKind, length: Int, modelSize: Int) -> [Float]? {
    switch kind {
    case .sinusoidal:
        var matrix = [Float](repeating: 0, count: length * modelSize)
        matrix.withUnsafeMutableBufferPointer {
            sinusoidalEncoding(out: $0.baseAddress!, length: length, modelSize: modelSize)
        }
        return matrix
    case .none, .learned, .rope, .alibi:
        return nil
    }
}

/// The cosine similarity of every pair of positions' encodings, (length, length) row-major:
///
///     S[s, t] = <P[s, :], P[t, :]> / (|P[s, :]| |P[t, :]|)
///
/// computed in Float64. Symmetric, 1 on the diagonal; a row of zeros has similarity 0 with everything
/// (itself included). `matrix` is (length, modelSize) row-major, as `positionalMatrix` returns it.
public func positionSimilarity(_ matrix: [Float], length: Int, modelSize: Int) -> [Float] {
    let T = length, C = modelSize
    precondition(T >= 0 && C > 0 && matrix.count == T * C,
                 "positionSimilarity: \(matrix.count) values for length \(T) and modelSize \(C)")
    var norms = [Double](repeating: 0, count: T)
    for t in 0..<T {
        var sum = 0.0
        for c in 0..<C { sum += Double(matrix[t * C + c]) * Double(matrix[t * C + c]) }
        norms[t] = sum.squareRoot()
    }
    var similarity = [Float](repeating: 0, count: T * T)
    for s in 0..<T {
        for t in s..<T {
            guard norms[s] > 0 && norms[t] > 0 else { continue }
            var dot = 0.0
            for c in 0..<C { dot += Double(matrix[s * C + c]) * Double(matrix[t * C + c]) }
            // exactly 1 on the diagonal, and exactly symmetric
            let value = s == t ? 1 : Float(dot / (norms[s] * norms[t]))
            similarity[s * T + t] = value
            similarity[t * T + s] = value
        }
    }
    return similarity
}
