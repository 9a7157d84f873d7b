import Tensors

/// Multi-head scaled dot-product attention (Vaswani et al. 2017, section 3.2).
///
///     Q = query W_q^T + b_q,  K = keyValue W_k^T + b_k,  V = keyValue W_v^T + b_v      (B,T,C)
///     head h uses columns h*D..<(h+1)*D of Q, K and V (D = C / H)
///     P_h = softmax(scale * Q_h K_h^T + mask)                                      (Tq,Tk)
///     context_h = P_h V_h,   out = concat_h(context_h) W_o^T + b_o                    (Tq,C)
///
/// scale is 1/sqrt(D) (`.sqrtDk`, the paper) or 1 (`.none`, the ablation). The mask drops future keys
/// when `causal` (key j > query i), padded keys (j >= keyLengths[b]), and carries ALiBi's bias.
/// RoPE rotates Q and K after the projection; see AttentionPositions.swift. Both position schemes
/// use absolute indices 0..<T and are meant for self-attention: cross-attention should use `.none`.
///
/// llm.c style: `forward` and `backward` work over caller buffers; the forward keeps what the backward
/// needs in an `Activations` object allocated once; the backward accumulates (+=) into the parameter
/// gradients and the input gradients. Shapes: B examples, Tq queries, Tk keys, C = H * D.
public struct MultiHeadAttention: Sendable {
    /// How the scores are scaled before the softmax.
    public enum Scaling: String, Sendable, CaseIterable {
        /// scores / sqrt(D), the paper's choice: keeps the softmax out of saturation as D grows.
        case sqrtDk = "sqrt_dk"
        /// Unscaled dot products (an ablation).
        case none
    }

    /// Positional information injected inside attention (self-attention only).
    public enum Positions: String, Sendable, CaseIterable {
        /// Nothing: positions come from the embeddings, or not at all.
        case none
        /// Rotary position embedding on Q and K (Su et al. 2021).
        case rope
        /// A per-head linear distance bias on the scores (Press et al. 2022).
        case alibi
    }

    public let modelSize: Int
    public let heads: Int
    /// D = C / H.
    public let headSize: Int
    public let scaling: Scaling
    public let positions: Positions
    /// The projections, each (C -> C): parameters NAME.query.weight, NAME.query.bias, and so on.
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    /// The ALiBi slope of each head (computed whatever `positions`; used only with `.alibi`).
    public let alibiSlopes: [Float]
    let rotaryFrequencies: [Double]

    /// The factor applied to Q K^T: 1/sqrt(D) or 1.
    public var scale: Float { scaling == .sqrtDk ? 1 / Float(headSize).squareRoot() : 1 }

    /// Declares NAME.query, NAME.key, NAME.value and NAME.output (weights (C,C), biases (C) with `bias`).
    public init(_ name: String, modelSize C: Int, heads H: Int, bias: Bool = true, scaling: Scaling = .sqrtDk,
                positions: Positions = .none, layout: inout ParameterLayout) {
        precondition(C > 0 && H > 0, "MultiHeadAttention \(name): modelSize and heads must be positive, got \(C) and \(H)")
        precondition(C % H == 0, "MultiHeadAttention \(name): modelSize (\(C)) must be a multiple of heads (\(H))")
        precondition(positions != .rope || (C / H) % 2 == 0,
                     "MultiHeadAttention \(name): RoPE needs an even head size, got \(C) / \(H) = \(C / H)")
        modelSize = C
        heads = H
        headSize = C / H
        self.scaling = scaling
        self.positions = positions
        query = Linear("\(name).query", inputSize: C, outputSize: C, bias: bias, layout: &layout)
        key = Linear("\(name).key", inputSize: C, outputSize: C, bias: bias, layout: &layout)
        value = Linear("\(name).value", inputSize: C, outputSize: C, bias: bias, layout: &layout)
        output = Linear("\(name).output", inputSize: C, outputSize: C, bias: bias, layout: &layout)
        alibiSlopes = MultiHeadAttention.alibiSlopes(heads: H)
        rotaryFrequencies = MultiHeadAttention.rotaryFrequencies(headSize: C / H)
    }

    /// Xavier uniform weights and zero biases for the four projections (as the paper's reference code),
    /// drawn in the order query, key, value, output.
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        for linear in [query, key, value, output] { linear.initializeXavier(parameters, rng: &rng) }
    }

    /// What the forward keeps for the backward, plus the backward's scratch, allocated once for the
    /// largest sizes. One user at a time: a layer used several times in a model needs one per use.
    public final class Activations: @unchecked Sendable {
        public let maxBatch: Int, maxQueryLength: Int, maxKeyLength: Int
        /// The sizes of the last call (forward or decode step): the tensors below are packed with them.
        public internal(set) var batch = 0, queryLength = 0, keyLength = 0
        /// (B,Tq,C) the projected queries (after RoPE).
        public let q: Tensor
        /// (B,Tk,C) the projected keys (after RoPE) and values. After a decode step they hold only the
        /// new position's; the others are in the cache.
        public let k: Tensor, v: Tensor
        /// (B,H,Tq,Tk) the attention map: row (b,h,i) is the distribution of query i over the keys.
        public let probabilities: Tensor
        /// (B,Tq,C) the heads' outputs side by side, the input of the output projection.
        public let context: Tensor
        // scratch: the mask of one example (ALiBi) or the number of keys each query keeps (causal and
        // padding masks, applied by the kept-prefix softmax), and the backward's intermediate gradients
        // (dprobabilities and dscores hold one example's (H,Tq,Tk) at a time, so that they stay in cache)
        let mask: Tensor, kept: UnsafeMutablePointer<Int32>, dcontext: Tensor, dprobabilities: Tensor, dscores: Tensor, dq: Tensor, dk: Tensor, dv: Tensor
        /// True after `forward`, false after a decode step (which leaves nothing to differentiate).
        var canBackward = false
        /// True when the last call masked with `kept` (B,Tq), the number of keys each query keeps (a
        /// causal or padding mask without ALiBi): the products then skip the keys no query of a block keeps.
        var keptPrefix = false

        init(maxBatch B: Int, maxQueryLength Tq: Int, maxKeyLength Tk: Int, modelSize C: Int, heads H: Int) {
            precondition(B > 0 && Tq > 0 && Tk > 0, "attention activations need positive sizes, got (\(B), \(Tq), \(Tk))")
            maxBatch = B
            maxQueryLength = Tq
            maxKeyLength = Tk
            q = Tensor(shape: [B, Tq, C])
            k = Tensor(shape: [B, Tk, C])
            v = Tensor(shape: [B, Tk, C])
            probabilities = Tensor(shape: [B, H, Tq, Tk])
            context = Tensor(shape: [B, Tq, C])
            mask = Tensor(shape: [H, Tq, Tk])
            kept = UnsafeMutablePointer<Int32>.allocate(capacity: B * Tq)
            kept.initialize(repeating: 0, count: B * Tq)
            dcontext = Tensor(shape: [B, Tq, C])
            dprobabilities = Tensor(shape: [H, Tq, Tk])
            dscores = Tensor(shape: [H, Tq, Tk])
            dq = Tensor(shape: [B, Tq, C])
            dk = Tensor(shape: [B, Tk, C])
            dv = Tensor(shape: [B, Tk, C])
        }

        deinit { kept.deallocate() }

        /// The attention probabilities of example b, head h, query i, over the keyLength keys of the last call.
        public func probabilities(example b: Int, head h: Int, query i: Int) -> [Float] {
            let heads = probabilities.shape[1]
            precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength,
                         "attention probabilities: (\(b), \(h), \(i)) is outside (\(batch), \(heads), \(queryLength))")
            let start = probabilities.data + ((b * heads + h) * queryLength + i) * keyLength
            return Array(UnsafeBufferPointer(start: start, count: keyLength))
        }
    }

    /// Activations for up to maxBatch examples of maxQueryLength queries and maxKeyLength keys. For
    /// decoding with a cache, use maxQueryLength 1 and maxKeyLength the cache's maxLength.
    public func makeActivations(maxBatch: Int, maxQueryLength: Int, maxKeyLength: Int) -> Activations {
        Activations(maxBatch: maxBatch, maxQueryLength: maxQueryLength, maxKeyLength: maxKeyLength, modelSize: modelSize, heads: heads)
    }

    /// out = MultiHeadAttention(query, keyValue).
    ///
    /// Pass the same pointer as `query` and `keyValue` for self-attention. `keyLengths` (B), when
    /// given, masks keys j >= keyLengths[b] (padding); a query with no key left gets a zero context.
    /// `out` must not overlap the inputs, which the backward reads again.
    public func forward(out: UnsafeMutablePointer<Float>, query input: UnsafePointer<Float>, keyValue: UnsafePointer<Float>,
                        batch B: Int, queryLength Tq: Int, keyLength Tk: Int, causal: Bool, keyLengths: UnsafePointer<Int32>?,
                        activations a: Activations, parameters: ParameterSet) {
        // input is (B,Tq,C), keyValue is (B,Tk,C), out is (B,Tq,C)
        checkSizes(a, batch: B, queryLength: Tq, keyLength: Tk)
        let C = modelSize
        query.forward(out: a.q.data, inp: input, rows: B * Tq, parameters: parameters)
        key.forward(out: a.k.data, inp: keyValue, rows: B * Tk, parameters: parameters)
        value.forward(out: a.v.data, inp: keyValue, rows: B * Tk, parameters: parameters)
        if positions == .rope {
            rotate(a.q.data, batch: B, length: Tq, batchStride: Tq * C, firstPosition: 0, inverse: false)
            rotate(a.k.data, batch: B, length: Tk, batchStride: Tk * C, firstPosition: 0, inverse: false)
        }
        attend(a, queries: a.q.data, keys: a.k.data, values: a.v.data, keyBatchStride: Tk * C,
               batch: B, queryLength: Tq, keyLength: Tk, firstQueryPosition: 0, causal: causal, keyLengths: keyLengths)
        output.forward(out: out, inp: a.context.data, rows: B * Tq, parameters: parameters)
        a.canBackward = true
    }

    /// Accumulates the gradients of the last `forward` (same inputs and sizes) into the parameter
    /// gradients and, when given, into dquery (B,Tq,C) and dkeyValue (B,Tk,C). For self-attention
    /// pass the same buffer for both: each path adds its share.
    public func backward(dquery: UnsafeMutablePointer<Float>?, dkeyValue: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                         query input: UnsafePointer<Float>, keyValue: UnsafePointer<Float>,
                         batch B: Int, queryLength Tq: Int, keyLength Tk: Int,
                         activations a: Activations, parameters: ParameterSet) {
        // dout is (B,Tq,C), input and dquery are (B,Tq,C), keyValue and dkeyValue are (B,Tk,C)
        precondition(a.canBackward && a.batch == B && a.queryLength == Tq && a.keyLength == Tk,
                     "MultiHeadAttention.backward: the activations do not hold a forward of (\(B), \(Tq), \(Tk))")
        let C = modelSize, H = heads, D = headSize
        let q = a.q.data, k = a.k.data, v = a.v.data, p = a.probabilities.data
        let dcontext = a.dcontext.data, dp = a.dprobabilities.data, ds = a.dscores.data
        let dq = a.dq.data, dk = a.dk.data, dv = a.dv.data
        // out = context W_o^T + b_o
        output.backward(dinp: dcontext, dout: dout, inp: a.context.data, rows: B * Tq, parameters: parameters, accumulate: false)
        if a.keptPrefix {
            backwardKeptPrefix(a, batch: B, queryLength: Tq, keyLength: Tk)
        } else {
            for b in 0..<B {
                // dP and dS of one example at a time, in scratch that stays in cache (H,Tq,Tk)
                let qb = b * Tq * C, kb = b * Tk * C, pb = b * H * Tq * Tk
                // context_h = P_h V_h  =>  dP_h = dcontext_h V_h^T   (Tq,Tk)
                gemmBatched(transposeA: false, transposeB: true, m: Tq, n: Tk, k: D, alpha: 1,
                            a: dcontext + qb, lda: C, strideA: D, b: v + kb, ldb: C, strideB: D,
                            beta: 0, c: dp, ldc: Tk, strideC: Tq * Tk, batch: H)
                //                       and dV_h = P_h^T dcontext_h  (Tk,D)
                gemmBatched(transposeA: true, transposeB: false, m: Tk, n: D, k: Tq, alpha: 1,
                            a: p + pb, lda: Tk, strideA: Tq * Tk, b: dcontext + qb, ldb: C, strideB: D,
                            beta: 0, c: dv + kb, ldc: C, strideC: D, batch: H)
                // P = softmax(scale * S + mask)  =>  dS (the mask is a constant)
                softmaxBackward(dinp: ds, dout: dp, out: p + pb, scale: scale, rows: H * Tq, cols: Tk, accumulate: false)
                // S_h = Q_h K_h^T  =>  dQ_h = dS_h K_h   (Tq,D)
                gemmBatched(transposeA: false, transposeB: false, m: Tq, n: D, k: Tk, alpha: 1,
                            a: ds, lda: Tk, strideA: Tq * Tk, b: k + kb, ldb: C, strideB: D,
                            beta: 0, c: dq + qb, ldc: C, strideC: D, batch: H)
                //                    and dK_h = dS_h^T Q_h  (Tk,D)
                gemmBatched(transposeA: true, transposeB: false, m: Tk, n: D, k: Tq, alpha: 1,
                            a: ds, lda: Tk, strideA: Tq * Tk, b: q + qb, ldb: C, strideB: D,
                            beta: 0, c: dk + kb, ldc: C, strideC: D, batch: H)
            }
        }
        if positions == .rope {
            // Q = R(position) Q'  =>  dQ' = R(position)^T dQ = R(-position) dQ
            rotate(dq, batch: B, length: Tq, batchStride: Tq * C, firstPosition: 0, inverse: true)
            rotate(dk, batch: B, length: Tk, batchStride: Tk * C, firstPosition: 0, inverse: true)
        }
        // Q = input W_q^T + b_q, K = keyValue W_k^T + b_k, V = keyValue W_v^T + b_v
        query.backward(dinp: dquery, dout: dq, inp: input, rows: B * Tq, parameters: parameters)
        key.backward(dinp: dkeyValue, dout: dk, inp: keyValue, rows: B * Tk, parameters: parameters)
        value.backward(dinp: dkeyValue, dout: dv, inp: keyValue, rows: B * Tk, parameters: parameters)
    }

    func checkSizes(_ a: Activations, batch B: Int, queryLength Tq: Int, keyLength Tk: Int) {
        precondition(B > 0 && Tq > 0 && Tk > 0, "MultiHeadAttention: sizes must be positive, got (\(B), \(Tq), \(Tk))")
        precondition(B <= a.maxBatch && Tq <= a.maxQueryLength && Tk <= a.maxKeyLength,
                     "MultiHeadAttention: (\(B), \(Tq), \(Tk)) exceeds the activations' (\(a.maxBatch), \(a.maxQueryLength), \(a.maxKeyLength))")
        precondition(a.probabilities.shape[1] == heads && a.q.shape[2] == modelSize,
                     "MultiHeadAttention: the activations were made for another layer shape")
    }

    /// The core shared by `forward` and the decode steps: probabilities and context from projected
    /// (and rotated) queries, keys and values.
    ///
    /// Query row (b, i) is at queries + (b * Tq + i) * C and position firstQueryPosition + i; key and
    /// value row (b, j) at keys/values + b * keyBatchStride + j * C (a cache has a larger stride).
    /// Writes a.probabilities (B,H,Tq,Tk) and a.context (B,Tq,C) and records the sizes.
    func attend(_ a: Activations, queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                        keyBatchStride: Int, batch B: Int, queryLength Tq: Int, keyLength Tk: Int,
                        firstQueryPosition: Int, causal: Bool, keyLengths: UnsafePointer<Int32>?) {
        let C = modelSize, H = heads, D = headSize
        let p = a.probabilities.data, context = a.context.data
        let needsMask = causal || keyLengths != nil || positions == .alibi
        a.keptPrefix = needsMask && positions != .alibi
        if a.keptPrefix {
            // causal and padding masks keep a prefix of the keys: no mask in memory, no exp of dropped
            // keys, and no product over keys that no query of a block keeps
            for b in 0..<B {
                let validKeys = keyLengths.map { Int($0[b]) } ?? Tk
                precondition(validKeys >= 0 && validKeys <= Tk, "MultiHeadAttention: keyLengths[\(b)] = \(validKeys) is outside 0...\(Tk)")
                fillKept(a.kept + b * Tq, queryLength: Tq, keyLength: Tk, firstQueryPosition: firstQueryPosition, causal: causal,
                         validKeys: validKeys)
                let qb = b * Tq * C, kb = b * keyBatchStride, pb = b * H * Tq * Tk
                forEachQueryBlock(kept: a.kept + b * Tq, queryLength: Tq) { i0, rows, keptKeys in
                    let pi = p + pb + i0 * Tk, ci = context + qb + i0 * C
                    if keptKeys == 0 {
                        // no query of the block keeps a key: zero probabilities and context
                        for h in 0..<H { (pi + h * Tq * Tk).update(repeating: 0, count: rows * Tk) }
                        for i in 0..<rows { (ci + i * C).update(repeating: 0, count: C) }
                        return
                    }
                    // S_h = Q_h K_h^T over the block's rows and its first keptKeys keys
                    gemmBatched(transposeA: false, transposeB: true, m: rows, n: keptKeys, k: D, alpha: 1,
                                a: queries + qb + i0 * C, lda: C, strideA: D, b: keys + kb, ldb: C, strideB: D,
                                beta: 0, c: pi, ldc: Tk, strideC: Tq * Tk, batch: H)
                    // P_h = softmax(scale * S_h + mask), in place: row i keeps kept[i] <= keptKeys entries, zeros after
                    for h in 0..<H {
                        softmaxForward(out: pi + h * Tq * Tk, inp: pi + h * Tq * Tk, scale: scale, kept: a.kept + b * Tq + i0,
                                       keptRows: rows, rows: rows, cols: Tk)
                    }
                    // context_h = P_h V_h over the kept keys (the others have probability 0)
                    gemmBatched(transposeA: false, transposeB: false, m: rows, n: D, k: keptKeys, alpha: 1,
                                a: pi, lda: Tk, strideA: Tq * Tk, b: values + kb, ldb: C, strideB: D,
                                beta: 0, c: ci, ldc: C, strideC: D, batch: H)
                }
            }
        } else {
            for b in 0..<B {
                let qb = b * Tq * C, kb = b * keyBatchStride, pb = b * H * Tq * Tk
                // S_h = Q_h K_h^T, the raw scores (Tq,Tk), written where the probabilities go
                gemmBatched(transposeA: false, transposeB: true, m: Tq, n: Tk, k: D, alpha: 1,
                            a: queries + qb, lda: C, strideA: D, b: keys + kb, ldb: C, strideB: D,
                            beta: 0, c: p + pb, ldc: Tk, strideC: Tq * Tk, batch: H)
                // P_h = softmax(scale * S_h + mask), in place
                var maskRows = 0
                if needsMask {
                    let validKeys = keyLengths.map { Int($0[b]) } ?? Tk
                    precondition(validKeys >= 0 && validKeys <= Tk, "MultiHeadAttention: keyLengths[\(b)] = \(validKeys) is outside 0...\(Tk)")
                    maskRows = fillMask(a.mask.data, queryLength: Tq, keyLength: Tk, firstQueryPosition: firstQueryPosition,
                                        causal: causal, validKeys: validKeys)
                }
                softmaxForward(out: p + pb, inp: p + pb, mask: needsMask ? UnsafePointer(a.mask.data) : nil, maskRows: maskRows,
                               scale: scale, rows: H * Tq, cols: Tk)
                // context_h = P_h V_h, into the head's columns (Tq,D)
                gemmBatched(transposeA: false, transposeB: false, m: Tq, n: D, k: Tk, alpha: 1,
                            a: p + pb, lda: Tk, strideA: Tq * Tk, b: values + kb, ldb: C, strideB: D,
                            beta: 0, c: context + qb, ldc: C, strideC: D, batch: H)
            }
        }
        a.batch = B
        a.queryLength = Tq
        a.keyLength = Tk
    }
}

// MARK: - Kept-prefix masks

extension MultiHeadAttention {
    /// Rows of queries handled together when a mask keeps a prefix of the keys: a causal mask then lets
    /// the products of a block skip the keys after its last query (3/8 of them at 4 blocks and more).
    static let queryBlockRows = 32

    /// Calls body(firstRow, rows, keys) for consecutive blocks of at most `queryBlockRows` queries, keys
    /// being the most keys any query of the block keeps; one block of all Tq queries when they all keep
    /// the same number of keys (padding without a causal mask), as smaller blocks would save nothing.
    /// `lastFirst` visits the blocks from the last one back. kept is (Tq).
    @inline(__always)
    func forEachQueryBlock(kept: UnsafePointer<Int32>, queryLength Tq: Int, lastFirst: Bool = false, _ body: (Int, Int, Int) -> Void) {
        if (0..<Tq).allSatisfy({ kept[$0] == kept[0] }) {
            body(0, Tq, Int(kept[0]))
            return
        }
        let blocks = (Tq + MultiHeadAttention.queryBlockRows - 1) / MultiHeadAttention.queryBlockRows
        for index in 0..<blocks {
            let i0 = (lastFirst ? blocks - 1 - index : index) * MultiHeadAttention.queryBlockRows
            let rows = min(MultiHeadAttention.queryBlockRows, Tq - i0)
            var keys = 0
            for i in i0..<(i0 + rows) { keys = max(keys, Int(kept[i])) }
            body(i0, rows, keys)
        }
    }

    /// The backward of the kept-prefix path of `attend`, per example and query block, over the kept keys
    /// only. Reads a.dcontext, writes a.dq, a.dk, a.dv (through dprobabilities and dscores).
    func backwardKeptPrefix(_ a: Activations, batch B: Int, queryLength Tq: Int, keyLength Tk: Int) {
        let C = modelSize, H = heads, D = headSize
        let q = a.q.data, k = a.k.data, v = a.v.data, p = a.probabilities.data
        let dcontext = a.dcontext.data, dp = a.dprobabilities.data, ds = a.dscores.data
        let dq = a.dq.data, dk = a.dk.data, dv = a.dv.data
        for b in 0..<B {
            let qb = b * Tq * C, kb = b * Tk * C, pb = b * H * Tq * Tk
            // dK and dV gather every block's share. The blocks go from the last, which keeps the most keys
            // under a causal mask: its products write (beta 0) the first `covered` key rows, later blocks add
            // to them, rows a block needs beyond `covered` are zeroed first, and keys no query keeps get 0.
            var covered = 0
            forEachQueryBlock(kept: a.kept + b * Tq, queryLength: Tq, lastFirst: true) { i0, rows, keptKeys in
                let dqi = dq + qb + i0 * C, dci = dcontext + qb + i0 * C, qi = q + qb + i0 * C
                let pi = p + pb + i0 * Tk, dpi = dp + i0 * Tk, dsi = ds + i0 * Tk
                if keptKeys == 0 {
                    for i in 0..<rows { (dqi + i * C).update(repeating: 0, count: C) }
                    return
                }
                if covered > 0 && keptKeys > covered {
                    (dk + kb + covered * C).update(repeating: 0, count: (keptKeys - covered) * C)
                    (dv + kb + covered * C).update(repeating: 0, count: (keptKeys - covered) * C)
                }
                let keyBeta: Float = covered == 0 ? 0 : 1
                covered = max(covered, keptKeys)
                // context_h = P_h V_h  =>  dP_h = dcontext_h V_h^T and dV_h += P_h^T dcontext_h, over the kept keys
                gemmBatched(transposeA: false, transposeB: true, m: rows, n: keptKeys, k: D, alpha: 1,
                            a: dci, lda: C, strideA: D, b: v + kb, ldb: C, strideB: D,
                            beta: 0, c: dpi, ldc: Tk, strideC: Tq * Tk, batch: H)
                gemmBatched(transposeA: true, transposeB: false, m: keptKeys, n: D, k: rows, alpha: 1,
                            a: pi, lda: Tk, strideA: Tq * Tk, b: dci, ldb: C, strideB: D,
                            beta: keyBeta, c: dv + kb, ldc: C, strideC: D, batch: H)
                // P = softmax(scale * S + mask)  =>  dS = scale * P * (dP - rowsum(dP * P)) on each row's kept keys
                for h in 0..<H {
                    let row0 = h * Tq * Tk
                    softmaxBackward(dinp: dsi + row0, dout: dpi + row0, out: pi + row0, scale: scale, kept: a.kept + b * Tq + i0,
                                    keptRows: rows, rows: rows, cols: Tk, accumulate: false)
                }
                // S_h = Q_h K_h^T  =>  dQ_h = dS_h K_h and dK_h += dS_h^T Q_h
                gemmBatched(transposeA: false, transposeB: false, m: rows, n: D, k: keptKeys, alpha: 1,
                            a: dsi, lda: Tk, strideA: Tq * Tk, b: k + kb, ldb: C, strideB: D,
                            beta: 0, c: dqi, ldc: C, strideC: D, batch: H)
                gemmBatched(transposeA: true, transposeB: false, m: keptKeys, n: D, k: rows, alpha: 1,
                            a: dsi, lda: Tk, strideA: Tq * Tk, b: qi, ldb: C, strideB: D,
                            beta: keyBeta, c: dk + kb, ldc: C, strideC: D, batch: H)
            }
            if covered < Tk {
                (dk + kb + covered * C).update(repeating: 0, count: (Tk - covered) * C)
                (dv + kb + covered * C).update(repeating: 0, count: (Tk - covered) * C)
            }
        }
    }
}
