import Tensors

// MARK: - Incremental decoding

extension MultiHeadAttention {
    /// The projected keys and values of positions already seen, for decoding one position at a time.
    ///
    /// keys and values are (maxBatch, maxLength, C); positions 0..<count are filled, for every example.
    public final class KeyValueCache: @unchecked Sendable {
        public let maxBatch: Int, maxLength: Int, modelSize: Int
        public let keys: Tensor, values: Tensor
        /// The number of filled positions.
        public internal(set) var count = 0

        public init(maxBatch: Int, maxLength: Int, modelSize: Int) {
            precondition(maxBatch > 0 && maxLength > 0 && modelSize > 0, "KeyValueCache: sizes must be positive")
            self.maxBatch = maxBatch
            self.maxLength = maxLength
            self.modelSize = modelSize
            keys = Tensor(shape: [maxBatch, maxLength, modelSize])
            values = Tensor(shape: [maxBatch, maxLength, modelSize])
        }

        /// Forgets every position (the storage is kept).
        public func reset() { count = 0 }
    }

    /// A cache for this layer's model size.
    public func makeCache(maxBatch: Int, maxLength: Int) -> KeyValueCache {
        KeyValueCache(maxBatch: maxBatch, maxLength: maxLength, modelSize: modelSize)
    }

    /// One step of causal self-attention: the new position p = cache.count of each example.
    ///
    /// Projects the new inputs (B,1,C) to q, k and v (RoPE at position p), appends k and v to the
    /// cache, attends q over the keys 0...p (ALiBi bias by p - j) and advances cache.count. Row p of a
    /// causal `forward` over the whole sequence gives the same out (B,1,C). Afterwards
    /// `activations.probabilities` is (B,H,1,p+1). Activations: maxQueryLength 1, maxKeyLength >= p+1.
    public func decodeStep(out: UnsafeMutablePointer<Float>, query input: UnsafePointer<Float>, batch B: Int,
                           cache: KeyValueCache, activations a: Activations, parameters: ParameterSet) {
        // input is (B,1,C), cache keys and values are (B,maxLength,C), out is (B,1,C)
        let C = modelSize, L = cache.maxLength, position = cache.count
        precondition(cache.modelSize == C && B <= cache.maxBatch, "decodeStep: the cache does not fit (\(B), \(C))")
        precondition(position < L, "decodeStep: the cache is full (\(L) positions)")
        checkSizes(a, batch: B, queryLength: 1, keyLength: position + 1)
        query.forward(out: a.q.data, inp: input, rows: B, parameters: parameters)
        key.forward(out: a.k.data, inp: input, rows: B, parameters: parameters)
        value.forward(out: a.v.data, inp: input, rows: B, parameters: parameters)
        if positions == .rope {
            rotate(a.q.data, batch: B, length: 1, batchStride: C, firstPosition: position, inverse: false)
            rotate(a.k.data, batch: B, length: 1, batchStride: C, firstPosition: position, inverse: false)
        }
        for b in 0..<B {
            copyValues(out: cache.keys.data + b * L * C + position * C, inp: a.k.data + b * C, count: C)
            copyValues(out: cache.values.data + b * L * C + position * C, inp: a.v.data + b * C, count: C)
        }
        cache.count = position + 1
        attend(a, queries: a.q.data, keys: cache.keys.data, values: cache.values.data, keyBatchStride: L * C,
               batch: B, queryLength: 1, keyLength: position + 1, firstQueryPosition: position, causal: true, keyLengths: nil)
        output.forward(out: out, inp: a.context.data, rows: B, parameters: parameters)
        a.canBackward = false
    }

    /// Projects the encoder output (B,Tk,C) to keys and values once, into positions 0..<Tk of the
    /// cache, and sets cache.count = Tk, for `crossDecodeStep`. Cross-attention only (positions `.none`).
    public func fillCrossCache(cache: KeyValueCache, keyValue: UnsafePointer<Float>, batch B: Int, keyLength Tk: Int,
                               parameters: ParameterSet) {
        // keyValue is (B,Tk,C), cache keys and values are (B,maxLength,C)
        let C = modelSize, L = cache.maxLength
        precondition(positions == .none, "fillCrossCache: cross-attention takes no positions, this layer has \(positions)")
        precondition(cache.modelSize == C && B <= cache.maxBatch && Tk > 0 && Tk <= L,
                     "fillCrossCache: (\(B), \(Tk), \(C)) does not fit the cache (\(cache.maxBatch), \(L), \(cache.modelSize))")
        for b in 0..<B {
            key.forward(out: cache.keys.data + b * L * C, inp: keyValue + b * Tk * C, rows: Tk, parameters: parameters)
            value.forward(out: cache.values.data + b * L * C, inp: keyValue + b * Tk * C, rows: Tk, parameters: parameters)
        }
        cache.count = Tk
    }

    /// One step of cross-attention: the new queries (B,1,C) attend over all cache.count keys of a cache
    /// filled by `fillCrossCache` (no causal mask; keys j >= keyLengths[b] masked). The cache is not
    /// changed. Equals a row of the cross-attention `forward`. Afterwards `activations.probabilities`
    /// is (B,H,1,Tk).
    public func crossDecodeStep(out: UnsafeMutablePointer<Float>, query input: UnsafePointer<Float>, batch B: Int,
                                cache: KeyValueCache, keyLengths: UnsafePointer<Int32>?,
                                activations a: Activations, parameters: ParameterSet) {
        // input is (B,1,C), cache keys and values are (B,maxLength,C), out is (B,1,C)
        let C = modelSize, L = cache.maxLength, Tk = cache.count
        precondition(positions == .none, "crossDecodeStep: cross-attention takes no positions, this layer has \(positions)")
        precondition(cache.modelSize == C && B <= cache.maxBatch && Tk > 0, "crossDecodeStep: the cache is empty or does not fit")
        checkSizes(a, batch: B, queryLength: 1, keyLength: Tk)
        query.forward(out: a.q.data, inp: input, rows: B, parameters: parameters)
        attend(a, queries: a.q.data, keys: cache.keys.data, values: cache.values.data, keyBatchStride: L * C,
               batch: B, queryLength: 1, keyLength: Tk, firstQueryPosition: 0, causal: false, keyLengths: keyLengths)
        output.forward(out: out, inp: a.context.data, rows: B, parameters: parameters)
        a.canBackward = false
    }
}
