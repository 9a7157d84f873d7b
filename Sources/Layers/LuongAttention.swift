#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

// MARK: - Luong

/// Luong et al. (2015) dot attention: score_j = s · h_j. No parameters; needs Hd == He.
public struct DotAttention: RecurrentAttention {
    public let stateSize: Int
    public let keySize: Int

    public init(stateSize: Int, keySize: Int) {
        precondition(stateSize > 0 && stateSize == keySize, "DotAttention: the state size (\(stateSize)) must equal the key size (\(keySize))")
        self.stateSize = stateSize
        self.keySize = keySize
    }

    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {}

    public func makeActivations(maxBatch: Int, maxKeyLength: Int, maxSteps: Int) -> RecurrentAttentionActivations {
        RecurrentAttentionActivations(maxBatch: maxBatch, maxKeyLength: maxKeyLength, maxSteps: maxSteps, keySize: keySize,
                                      projectedKeySize: 0, hiddenSize: 0)
    }

    public func precompute(keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                           activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk)
        activations.keysGradient.zero()
    }

    public func forward(weights: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>,
                        state: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?,
                        batch B: Int, keyLength Tk: Int, time: Int,
                        activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        dotScores(scores: activations.scores.data, state: state, keys: keys, batch: B, keyLength: Tk, size: keySize)
        attend(weights: weights, context: context, scores: activations.scores.data, keys: keys, keyLengths: keyLengths,
               batch: B, keyLength: Tk, keySize: keySize)
    }

    public func backward(dstate: UnsafeMutablePointer<Float>, dcontext: UnsafePointer<Float>, dweights: UnsafePointer<Float>?,
                         weights: UnsafePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                         keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                         activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        attendBackward(dscores: activations.scoresGradient.data, dcontext: dcontext, dweights: dweights, weights: weights,
                       keys: keys, batch: B, keyLength: Tk, keySize: keySize, activations: activations)
        dotScoresBackward(dstate: dstate, dkeys: activations.keysGradient.data, dscores: activations.scoresGradient.data,
                          state: state, keys: keys, batch: B, keyLength: Tk, size: keySize)
    }

    public func finishBackward(dkeys: UnsafeMutablePointer<Float>?, keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                               activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk)
        if let dkeys { axpy(y: dkeys, alpha: 1, x: activations.keysGradient.data, count: B * Tk * keySize) }
    }
}

/// Luong et al. (2015) general attention: score_j = s^T W_a h_j = s · (W_a h_j), with W_a h_j computed
/// once per batch. Parameter: `NAME.W` (Hd, He).
public struct GeneralAttention: RecurrentAttention {
    public let stateSize: Int
    public let keySize: Int
    /// `NAME.W`, (Hd, He)
    public let weight: ParameterSet.Slice

    public init(_ name: String, stateSize: Int, keySize: Int, layout: inout ParameterLayout) {
        precondition(stateSize > 0 && keySize > 0, "GeneralAttention \(name): sizes must be positive")
        self.stateSize = stateSize
        self.keySize = keySize
        weight = layout.add("\(name).W", shape: [stateSize, keySize])
    }

    /// W_a uniform in ±1/sqrt(He), as a bias-free PyTorch Linear from He to Hd.
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        let bound = 1 / Float(keySize).squareRoot()
        rng.fillUniform(parameters.value(weight), count: weight.count, low: -bound, high: bound)
    }

    public func makeActivations(maxBatch: Int, maxKeyLength: Int, maxSteps: Int) -> RecurrentAttentionActivations {
        RecurrentAttentionActivations(maxBatch: maxBatch, maxKeyLength: maxKeyLength, maxSteps: maxSteps, keySize: keySize,
                                      projectedKeySize: stateSize, hiddenSize: 0)
    }

    /// projectedKeys = keys W_a^T: (B*Tk, He) x (He, Hd).
    public func precompute(keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                           activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk)
        let Hd = stateSize, He = keySize
        gemm(transposeA: false, transposeB: true, m: B * Tk, n: Hd, k: He, alpha: 1, a: keys, lda: He,
             b: parameters.value(weight), ldb: He, beta: 0, c: activations.projectedKeys.data, ldc: Hd)
        activations.projectedKeysGradient.zero()
        activations.keysGradient.zero()
    }

    public func forward(weights: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>,
                        state: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?,
                        batch B: Int, keyLength Tk: Int, time: Int,
                        activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        dotScores(scores: activations.scores.data, state: state, keys: activations.projectedKeys.data,
                  batch: B, keyLength: Tk, size: stateSize)
        attend(weights: weights, context: context, scores: activations.scores.data, keys: keys, keyLengths: keyLengths,
               batch: B, keyLength: Tk, keySize: keySize)
    }

    public func backward(dstate: UnsafeMutablePointer<Float>, dcontext: UnsafePointer<Float>, dweights: UnsafePointer<Float>?,
                         weights: UnsafePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                         keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                         activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        attendBackward(dscores: activations.scoresGradient.data, dcontext: dcontext, dweights: dweights, weights: weights,
                       keys: keys, batch: B, keyLength: Tk, keySize: keySize, activations: activations)
        dotScoresBackward(dstate: dstate, dkeys: activations.projectedKeysGradient.data,
                          dscores: activations.scoresGradient.data, state: state, keys: activations.projectedKeys.data,
                          batch: B, keyLength: Tk, size: stateSize)
    }

    public func finishBackward(dkeys: UnsafeMutablePointer<Float>?, keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                               activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        // projectedKeys = keys W_a^T  =>  dkeys += dProjectedKeys W_a, dW_a += dProjectedKeys^T keys
        activations.check(batch: B, keyLength: Tk)
        let Hd = stateSize, He = keySize
        let dProjectedKeys = activations.projectedKeysGradient.data
        if let dkeys {
            axpy(y: dkeys, alpha: 1, x: activations.keysGradient.data, count: B * Tk * He)
            gemm(transposeA: false, transposeB: false, m: B * Tk, n: He, k: Hd, alpha: 1, a: dProjectedKeys, lda: Hd,
                 b: parameters.value(weight), ldb: He, beta: 1, c: dkeys, ldc: He)
        }
        gemm(transposeA: true, transposeB: false, m: Hd, n: He, k: B * Tk, alpha: 1, a: dProjectedKeys, lda: Hd,
             b: keys, ldb: He, beta: 1, c: parameters.gradient(weight), ldc: He)
    }
}
