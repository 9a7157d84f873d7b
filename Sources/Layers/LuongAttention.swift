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

    public var keyProjection: (weight: ParameterSet.Slice, size: Int)? { nil }

    /// score_j = s · h_j
    public func scoreForward(scores: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                             keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                             activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        dotScores(scores: scores, state: state, keys: keys, batch: B, keyLength: Tk, size: keySize)
    }

    public func scoreBackward(dstate: UnsafeMutablePointer<Float>, dscores: UnsafePointer<Float>, state: UnsafePointer<Float>,
                              keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int,
                              time: Int, activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        dotScoresBackward(dstate: dstate, dkeys: activations.keysGradient.data, dscores: dscores,
                          state: state, keys: keys, batch: B, keyLength: Tk, size: keySize)
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

    public var keyProjection: (weight: ParameterSet.Slice, size: Int)? { (weight, stateSize) }

    /// score_j = s · (W_a h_j), against the keys projected once per batch
    public func scoreForward(scores: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                             keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                             activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        dotScores(scores: scores, state: state, keys: activations.projectedKeys.data, batch: B, keyLength: Tk, size: stateSize)
    }

    public func scoreBackward(dstate: UnsafeMutablePointer<Float>, dscores: UnsafePointer<Float>, state: UnsafePointer<Float>,
                              keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int,
                              time: Int, activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        dotScoresBackward(dstate: dstate, dkeys: activations.projectedKeysGradient.data, dscores: dscores, state: state,
                          keys: activations.projectedKeys.data, batch: B, keyLength: Tk, size: stateSize)
    }
}
