#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels
import Tensors

// Attention for an RNN decoder, one decoder step at a time, over the encoder outputs (the keys, which
// are also the values):
//
//     score_j  = score(s, h_j)                          s: decoder state (Hd), h_j: key j (He)
//     a        = softmax_j(score) over the real keys    j >= keyLengths[b] get weight 0
//     context  = sum_j a_j h_j                          (He)
//
// A row whose keys are all padding gets zero weights and a zero context. Each kind supplies its score
// function (and the key projection it uses); the softmax, the context and their backward are shared.
// Shapes: B batch, Tk key length, Hd state size, He key size, A attention size.
//
// The calls of one batch, for a decoder of T steps:
//     precompute(keys)                        once: per-batch key projections; resets the key gradients
//     forward(..., time: t)                   t = 0..<T
//     backward(..., time: t)                  t = T-1...0, accumulating the key gradients inside
//     finishBackward(dkeys)                   once: the key gradients of all steps into dkeys (and U, W_a)

/// The score functions of Bahdanau et al. (2015) and Luong et al. (2015).
public enum RecurrentAttentionKind: String, Sendable, CaseIterable {
    /// score_j = v^T tanh(W s + U h_j) (Bahdanau, "concat" in Luong)
    case additive
    /// score_j = s · h_j (Luong dot; needs Hd == He)
    case dot
    /// score_j = s^T W_a h_j (Luong general)
    case general

    /// The layer of this kind. `attentionSize` (A) is used by `additive` only.
    public func makeAttention(_ name: String, stateSize: Int, keySize: Int, attentionSize: Int,
                              layout: inout ParameterLayout) -> any RecurrentAttention {
        switch self {
        case .additive:
            AdditiveAttention(name, stateSize: stateSize, keySize: keySize, attentionSize: attentionSize, layout: &layout)
        case .dot:
            DotAttention(stateSize: stateSize, keySize: keySize)
        case .general:
            GeneralAttention(name, stateSize: stateSize, keySize: keySize, layout: &layout)
        }
    }
}

/// An attention layer for an RNN decoder; see the top of RecurrentAttention.swift for the calls.
public protocol RecurrentAttention: Sendable {
    /// Hd
    var stateSize: Int { get }
    /// He
    var keySize: Int { get }
    /// PyTorch's Linear default for each matrix (uniform ±1/sqrt(fan-in)); nothing for `DotAttention`.
    func initialize(_ parameters: ParameterSet, rng: inout RNG)
    /// Room for `maxBatch` rows of `maxKeyLength` keys and `maxSteps` decoder steps.
    func makeActivations(maxBatch: Int, maxKeyLength: Int, maxSteps: Int) -> RecurrentAttentionActivations
    /// The weight that projects the keys once per batch (`precompute`) and the size P of a projected key:
    /// U (P = A) for additive, W_a (P = Hd) for general; nil for dot.
    var keyProjection: (weight: ParameterSet.Slice, size: Int)? { get }
    /// The score function: scores (B,Tk) of the state (B,Hd) against each real key (what it writes at
    /// padded keys is masked afterwards). Keeps what its backward needs in slot `time`.
    func scoreForward(scores: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                      keyLengths: UnsafePointer<Int32>?, batch: Int, keyLength: Int, time: Int,
                      activations: RecurrentAttentionActivations, parameters: ParameterSet)
    /// The backward of `scoreForward` from d loss / d scores (B,Tk): accumulates (+=) into `dstate`
    /// (B,Hd), the parameter gradients and the key gradients kept in `activations`.
    func scoreBackward(dstate: UnsafeMutablePointer<Float>, dscores: UnsafePointer<Float>, state: UnsafePointer<Float>,
                       keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch: Int, keyLength: Int, time: Int,
                       activations: RecurrentAttentionActivations, parameters: ParameterSet)
}

/// The steps every kind shares: the key projection, score -> softmax -> context, and their backward.
extension RecurrentAttention {
    /// Once per batch, before the steps: projects the keys (B,Tk,He) and resets the key gradients.
    public func precompute(keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                           activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk)
        let He = keySize
        if let (weight, P) = keyProjection {
            // projectedKeys = keys W^T: (B*Tk, He) x (He, P)
            gemm(transposeA: false, transposeB: true, m: B * Tk, n: P, k: He, alpha: 1, a: keys, lda: He,
                 b: parameters.value(weight), ldb: He, beta: 0, c: activations.projectedKeys.data, ldc: P)
        }
        activations.projectedKeysGradient.zero()
        activations.keysGradient.zero()
    }

    /// One decoder step: weights (B,Tk) and context (B,He) for the state (B,Hd). keyLengths (B) may
    /// be nil (all keys real). Keeps what the backward needs in slot `time` (< maxSteps).
    public func forward(weights: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>,
                        state: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?,
                        batch B: Int, keyLength Tk: Int, time: Int,
                        activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        let scores = activations.scores.data
        scoreForward(scores: scores, state: state, keys: keys, keyLengths: keyLengths, batch: B, keyLength: Tk, time: time,
                     activations: activations, parameters: parameters)
        attend(weights: weights, context: context, scores: scores, keys: keys, keyLengths: keyLengths,
               batch: B, keyLength: Tk, keySize: keySize)
    }

    /// The backward of one step: accumulates (+=) into `dstate` (B,Hd) and the parameter gradients, and
    /// keeps the key gradient inside `activations` until `finishBackward`. `dcontext` (B,He) and the
    /// optional `dweights` (B,Tk) are the gradients of the step's outputs; `weights` is the forward's.
    public func backward(dstate: UnsafeMutablePointer<Float>, dcontext: UnsafePointer<Float>, dweights: UnsafePointer<Float>?,
                         weights: UnsafePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                         keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                         activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        activations.check(batch: B, keyLength: Tk, time: time)
        let dScores = activations.scoresGradient.data
        attendBackward(dscores: dScores, dcontext: dcontext, dweights: dweights, weights: weights, keys: keys,
                       batch: B, keyLength: Tk, keySize: keySize, activations: activations)
        scoreBackward(dstate: dstate, dscores: dScores, state: state, keys: keys, keyLengths: keyLengths, batch: B,
                      keyLength: Tk, time: time, activations: activations, parameters: parameters)
    }

    /// Once per batch, after the backward of every step: accumulates (+=) the key gradient of all steps
    /// into `dkeys` (B,Tk,He) when given, and the gradient of the key projection.
    public func finishBackward(dkeys: UnsafeMutablePointer<Float>?, keys: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                               activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        // projectedKeys = keys W^T  =>  dkeys += dProjectedKeys W, dW += dProjectedKeys^T keys
        activations.check(batch: B, keyLength: Tk)
        let He = keySize, projection = keyProjection
        let dProjectedKeys = activations.projectedKeysGradient.data
        if let dkeys {
            axpy(y: dkeys, alpha: 1, x: activations.keysGradient.data, count: B * Tk * He)
            if let (weight, P) = projection {
                gemm(transposeA: false, transposeB: false, m: B * Tk, n: He, k: P, alpha: 1, a: dProjectedKeys, lda: P,
                     b: parameters.value(weight), ldb: He, beta: 1, c: dkeys, ldc: He)
            }
        }
        if let (weight, P) = projection {
            gemm(transposeA: true, transposeB: false, m: P, n: He, k: B * Tk, alpha: 1, a: dProjectedKeys, lda: P,
                 b: keys, ldb: He, beta: 1, c: parameters.gradient(weight), ldc: He)
        }
    }
}

/// The buffers of a `RecurrentAttention` layer, allocated once by its `makeActivations`.
public final class RecurrentAttentionActivations: Sendable {
    public let maxBatch: Int
    public let maxKeyLength: Int
    public let maxSteps: Int
    /// (B,Tk,P): the keys projected once per batch (U h_j with P = A; W_a h_j with P = Hd; none for dot).
    let projectedKeys: Tensor
    /// (B,Tk,P): d loss / d projectedKeys, summed over the steps.
    let projectedKeysGradient: Tensor
    /// (B,Tk,He): d loss / d keys through the context and the dot scores, summed over the steps.
    let keysGradient: Tensor
    /// (steps,B,Tk,A), additive only: tanh(W s + U h_j) at each step.
    let hidden: Tensor
    /// (B,A), additive only: W s in the forward, its gradient in the backward.
    let projectedState: Tensor
    /// (B,Tk) each: scores, then d loss / d weights and d loss / d scores.
    let scores: Tensor
    let weightsGradient: Tensor
    let scoresGradient: Tensor

    init(maxBatch B: Int, maxKeyLength Tk: Int, maxSteps: Int, keySize He: Int, projectedKeySize P: Int, hiddenSize A: Int) {
        precondition(B >= 0 && Tk >= 0 && maxSteps >= 0, "RecurrentAttentionActivations: sizes must be non-negative")
        maxBatch = B
        maxKeyLength = Tk
        self.maxSteps = maxSteps
        projectedKeys = Tensor(shape: [B, Tk, P])
        projectedKeysGradient = Tensor(shape: [B, Tk, P])
        keysGradient = Tensor(shape: [B, Tk, He])
        hidden = Tensor(shape: [A == 0 ? 0 : maxSteps, B, Tk, A])
        projectedState = Tensor(shape: [B, A])
        scores = Tensor(shape: [B, Tk])
        weightsGradient = Tensor(shape: [B, Tk])
        scoresGradient = Tensor(shape: [B, Tk])
    }

    /// Sizes against the allocation; `time` is checked when given.
    func check(batch B: Int, keyLength Tk: Int, time: Int? = nil) {
        precondition(B >= 0 && Tk > 0, "attention: needs batch >= 0 and keyLength > 0, got \(B), \(Tk)")
        precondition(B <= maxBatch && Tk <= maxKeyLength,
                     "attention: batch \(B), keyLength \(Tk) but activations for \(maxBatch) x \(maxKeyLength)")
        if let time { precondition(time >= 0 && time < maxSteps, "attention: time \(time) outside 0..<\(maxSteps)") }
    }
}

// MARK: - Bahdanau

/// Bahdanau et al. (2015) additive attention, as in W3 of docs/performance.md: score_j = v^T tanh(W s + U h_j),
/// no biases. U h_j is computed once per batch (`precompute`) and its gradient sent back once
/// (`finishBackward`). Parameters: `NAME.W` (A, Hd), `NAME.U` (A, He), `NAME.v` (A).
public struct AdditiveAttention: RecurrentAttention {
    public let stateSize: Int
    public let keySize: Int
    /// A
    public let attentionSize: Int
    /// `NAME.W`, (A, Hd)
    public let stateWeight: ParameterSet.Slice
    /// `NAME.U`, (A, He)
    public let keyWeight: ParameterSet.Slice
    /// `NAME.v`, (A)
    public let scoreWeight: ParameterSet.Slice

    public init(_ name: String, stateSize: Int, keySize: Int, attentionSize: Int, layout: inout ParameterLayout) {
        precondition(stateSize > 0 && keySize > 0 && attentionSize > 0, "AdditiveAttention \(name): sizes must be positive")
        self.stateSize = stateSize
        self.keySize = keySize
        self.attentionSize = attentionSize
        stateWeight = layout.add("\(name).W", shape: [attentionSize, stateSize])
        keyWeight = layout.add("\(name).U", shape: [attentionSize, keySize])
        scoreWeight = layout.add("\(name).v", shape: [attentionSize])
    }

    /// W, U and v uniform in ±1/sqrt(fan-in): Hd, He and A.
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        for (slice, fanIn) in [(stateWeight, stateSize), (keyWeight, keySize), (scoreWeight, attentionSize)] {
            let bound = 1 / Float(fanIn).squareRoot()
            rng.fillUniform(parameters.value(slice), count: slice.count, low: -bound, high: bound)
        }
    }

    public func makeActivations(maxBatch: Int, maxKeyLength: Int, maxSteps: Int) -> RecurrentAttentionActivations {
        RecurrentAttentionActivations(maxBatch: maxBatch, maxKeyLength: maxKeyLength, maxSteps: maxSteps, keySize: keySize,
                                      projectedKeySize: attentionSize, hiddenSize: attentionSize)
    }

    public var keyProjection: (weight: ParameterSet.Slice, size: Int)? { (keyWeight, attentionSize) }

    /// hidden_j = tanh(W s + U h_j), score_j = v . hidden_j
    public func scoreForward(scores: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                             keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, time: Int,
                             activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        // state is (B,Hd), W is (A,Hd), projectedState is (B,A), projectedKeys is (B,Tk,A), hidden is (B,Tk,A) at slot time
        let A = attentionSize, Hd = stateSize
        let projectedState = activations.projectedState.data, projectedKeys = activations.projectedKeys.data
        let hidden = activations.hidden.data + time * B * Tk * A
        // W s
        gemm(transposeA: false, transposeB: true, m: B, n: A, k: Hd, alpha: 1, a: state, lda: Hd,
             b: parameters.value(stateWeight), ldb: Hd, beta: 0, c: projectedState, ldc: A)
        additiveScoresForward(hidden: hidden, scores: scores, projectedState: projectedState, projectedKeys: projectedKeys,
                              v: parameters.value(scoreWeight), keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
    }

    public func scoreBackward(dstate: UnsafeMutablePointer<Float>, dscores: UnsafePointer<Float>, state: UnsafePointer<Float>,
                              keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int,
                              time: Int, activations: RecurrentAttentionActivations, parameters: ParameterSet) {
        // dstate is (B,Hd); dProjectedState is (B,A); dProjectedKeys and hidden are (B,Tk,A)
        let A = attentionSize, Hd = stateSize
        let hidden = activations.hidden.data + time * B * Tk * A
        let dProjectedState = activations.projectedState.data, dProjectedKeys = activations.projectedKeysGradient.data
        let v = parameters.value(scoreWeight), dv = parameters.gradient(scoreWeight)
        dProjectedState.update(repeating: 0, count: B * A)
        additiveScoresBackward(dProjectedState: dProjectedState, dProjectedKeys: dProjectedKeys, dv: dv, dScores: dscores,
                               hidden: hidden, v: v, keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
        // projectedState = s W^T  =>  dstate += dProjectedState W, dW += dProjectedState^T s
        gemm(transposeA: false, transposeB: false, m: B, n: Hd, k: A, alpha: 1, a: dProjectedState, lda: A,
             b: parameters.value(stateWeight), ldb: Hd, beta: 1, c: dstate, ldc: Hd)
        gemm(transposeA: true, transposeB: false, m: A, n: Hd, k: B, alpha: 1, a: dProjectedState, lda: A,
             b: state, ldb: Hd, beta: 1, c: parameters.gradient(stateWeight), ldc: Hd)
    }
}

// MARK: - Additive scores

/// The scores of additive attention (the C kernel, at the CPU's vector width):
///
///     hidden[b, j, :] = tanh(projectedState[b, :] + projectedKeys[b, j, :])
///     scores[b, j]    = v . hidden[b, j, :]                 for j < keyLengths[b] (the rest untouched)
///
/// tanh is `vectorTanh`'s, and the dot product is summed in 8 lanes (lane l takes a = l, l + 8, ...),
/// then `horizontalSum`: the same bits on every instruction set. Shapes: hidden and projectedKeys
/// (B,Tk,A), scores (B,Tk), projectedState (B,A), v (A), keyLengths (B). `additiveScoresForwardNaive`
/// is its reference twin.
func additiveScoresForward(hidden: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                           projectedState: UnsafePointer<Float>, projectedKeys: UnsafePointer<Float>, v: UnsafePointer<Float>,
                           keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, size A: Int) {
    for b in 0..<B { _ = validKeyLength(keyLengths, b, keyLength: Tk) }
    ablate_additive_scores_forward(hidden, scores, projectedState, projectedKeys, v, keyLengths, Int64(B), Int64(Tk), Int64(A))
}

/// The naive twin of `additiveScoresForward`: tanhf and a running sum, one element at a time.
func additiveScoresForwardNaive(hidden: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                                projectedState: UnsafePointer<Float>, projectedKeys: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, size A: Int) {
    for b in 0..<B {
        let valid = validKeyLength(keyLengths, b, keyLength: Tk)
        for j in 0..<valid {
            let row = hidden + (b * Tk + j) * A, keyRow = projectedKeys + (b * Tk + j) * A, stateRow = projectedState + b * A
            var score: Float = 0
            for a in 0..<A {
                let value = tanhf(stateRow[a] + keyRow[a])
                row[a] = value
                score += v[a] * value
            }
            scores[b * Tk + j] = score
        }
    }
}

/// The backward of `additiveScoresForward`, accumulating (+=) into dProjectedState (B,A),
/// dProjectedKeys (B,Tk,A) and dv (A) from dScores (B,Tk) and the saved hidden (B,Tk,A), in the C kernel:
///
///     score = v . hidden          =>  dv += dscore hidden,  dhidden = dscore v
///     hidden = tanh(pre)          =>  dpre = dhidden (1 - hidden^2), to both the state and the key rows
func additiveScoresBackward(dProjectedState: UnsafeMutablePointer<Float>, dProjectedKeys: UnsafeMutablePointer<Float>,
                            dv: UnsafeMutablePointer<Float>, dScores: UnsafePointer<Float>, hidden: UnsafePointer<Float>,
                            v: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, size A: Int) {
    for b in 0..<B { _ = validKeyLength(keyLengths, b, keyLength: Tk) }
    ablate_additive_scores_backward(dProjectedState, dProjectedKeys, dv, dScores, hidden, v, keyLengths, Int64(B), Int64(Tk), Int64(A))
}

/// The naive twin of `additiveScoresBackward`.
func additiveScoresBackwardNaive(dProjectedState: UnsafeMutablePointer<Float>, dProjectedKeys: UnsafeMutablePointer<Float>,
                                 dv: UnsafeMutablePointer<Float>, dScores: UnsafePointer<Float>, hidden: UnsafePointer<Float>,
                                 v: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, size A: Int) {
    for b in 0..<B {
        let valid = validKeyLength(keyLengths, b, keyLength: Tk)
        for j in 0..<valid {
            let row = hidden + (b * Tk + j) * A
            let dScore = dScores[b * Tk + j]
            let dStateRow = dProjectedState + b * A, dKeyRow = dProjectedKeys + (b * Tk + j) * A
            for a in 0..<A {
                // score = v . hidden  =>  dv += dscore hidden, dhidden = dscore v
                let value = row[a]
                dv[a] += dScore * value
                // hidden = tanh(W s + U h_j)
                let dPre = dScore * v[a] * (1 - value * value)
                dStateRow[a] += dPre
                dKeyRow[a] += dPre
            }
        }
    }
}

// MARK: - Shared pieces

/// The number of real keys of row `b`: `keyLengths[b]`, or `keyLength` without lengths.
@inline(__always)
func validKeyLength(_ keyLengths: UnsafePointer<Int32>?, _ b: Int, keyLength: Int) -> Int {
    guard let keyLengths else { return keyLength }
    let valid = Int(keyLengths[b])
    precondition(valid >= 0 && valid <= keyLength, "attention: keyLengths[\(b)] = \(valid) is outside 0...\(keyLength)")
    return valid
}

/// Masks the padded scores, then weights = softmax(scores) per row and context_b = sum_j weights_bj keys_bj.
/// scores is (B,Tk) and is overwritten; weights (B,Tk), context (B,He), keys (B,Tk,He).
func attend(weights: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>,
                    scores: UnsafeMutablePointer<Float>, keys: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?,
                    batch B: Int, keyLength Tk: Int, keySize He: Int) {
    for b in 0..<B {
        let valid = validKeyLength(keyLengths, b, keyLength: Tk)
        for j in valid..<Tk { scores[b * Tk + j] = -Float.infinity }
    }
    // a fully masked row comes out as zeros
    softmaxForward(out: weights, inp: scores, mask: nil, maskRows: 1, scale: 1, rows: B, cols: Tk)
    // context_b = weights_b (1,Tk) x keys_b (Tk,He)
    gemmBatched(transposeA: false, transposeB: false, m: 1, n: He, k: Tk, alpha: 1,
                a: weights, lda: Tk, strideA: Tk, b: keys, ldb: He, strideB: Tk * He,
                beta: 0, c: context, ldc: He, strideC: He, batch: B)
}

/// The backward of `attend`: writes (=) d loss / d scores into `dscores` (B,Tk) and accumulates the
/// context's key gradient into `activations.keysGradient`.
func attendBackward(dscores: UnsafeMutablePointer<Float>, dcontext: UnsafePointer<Float>,
                            dweights: UnsafePointer<Float>?, weights: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                            batch B: Int, keyLength Tk: Int, keySize He: Int, activations: RecurrentAttentionActivations) {
    let dWeights = activations.weightsGradient.data
    // context_b = sum_j weights_bj keys_bj  =>  dweights_bj = dcontext_b . keys_bj
    gemmBatched(transposeA: false, transposeB: true, m: 1, n: Tk, k: He, alpha: 1,
                a: dcontext, lda: He, strideA: He, b: keys, ldb: He, strideB: Tk * He,
                beta: 0, c: dWeights, ldc: Tk, strideC: Tk, batch: B)
    if let dweights { axpy(y: dWeights, alpha: 1, x: dweights, count: B * Tk) }
    //                                        and dkeys_bj += weights_bj dcontext_b
    gemmBatched(transposeA: true, transposeB: false, m: Tk, n: He, k: 1, alpha: 1,
                a: weights, lda: Tk, strideA: Tk, b: dcontext, ldb: He, strideB: He,
                beta: 1, c: activations.keysGradient.data, ldc: He, strideC: Tk * He, batch: B)
    // weights = softmax(scores); masked entries have weight 0 and so get no gradient
    softmaxBackward(dinp: dscores, dout: dWeights, out: weights, scale: 1, rows: B, cols: Tk, accumulate: false)
}

/// scores_bj = state_b · keys_bj. state is (B,D), keys (B,Tk,D), scores (B,Tk).
func dotScores(scores: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                       batch B: Int, keyLength Tk: Int, size D: Int) {
    gemmBatched(transposeA: false, transposeB: true, m: 1, n: Tk, k: D, alpha: 1,
                a: state, lda: D, strideA: D, b: keys, ldb: D, strideB: Tk * D,
                beta: 0, c: scores, ldc: Tk, strideC: Tk, batch: B)
}

/// The backward of `dotScores`: dstate_b += sum_j dscores_bj keys_bj, dkeys_bj += dscores_bj state_b.
func dotScoresBackward(dstate: UnsafeMutablePointer<Float>, dkeys: UnsafeMutablePointer<Float>,
                               dscores: UnsafePointer<Float>, state: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                               batch B: Int, keyLength Tk: Int, size D: Int) {
    gemmBatched(transposeA: false, transposeB: false, m: 1, n: D, k: Tk, alpha: 1,
                a: dscores, lda: Tk, strideA: Tk, b: keys, ldb: D, strideB: Tk * D,
                beta: 1, c: dstate, ldc: D, strideC: D, batch: B)
    gemmBatched(transposeA: true, transposeB: false, m: Tk, n: D, k: 1, alpha: 1,
                a: dscores, lda: Tk, strideA: Tk, b: state, ldb: D, strideB: D,
                beta: 1, c: dkeys, ldc: D, strideC: Tk * D, batch: B)
}
