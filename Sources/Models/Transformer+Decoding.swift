import Layers
import Tensors

/// The output of greedy decoding.
public struct Decoding: Sendable, Equatable {
    /// (B, steps) the generated tokens.
    public var tokens: [Int32]
    /// (B, steps, V) the logits each token was chosen from.
    public var logits: [Float]
    public var steps: Int
}

/// The attention weights of one attention layer for one example, (heads, queries, keys).
public struct AttentionMap: Sendable {
    /// "encoder self", "decoder self" (masked when causal), "decoder cross", or "alignment" for the RNN.
    public var kind: String
    public var layer: Int
    public var heads: Int
    public var queryLength: Int
    public var keyLength: Int
    /// (heads, queryLength, keyLength), row-major.
    public var weights: [Float]
}

extension Transformer {
    /// Greedy decoding: after the decoder `prefix` (B, P) — the start token for an encoder-decoder,
    /// source + separator for a decoder-only model — each step appends the argmax of the last
    /// position's logits, `steps` times. Decoding only ever sees tokens it has produced.
    ///
    /// With `useCache` (the default) each step runs one position through the decoder, reusing the keys
    /// and values of earlier positions and the encoder's cross-attention keys; without it every step
    /// reruns the whole prefix. A decoder without the causal mask lets earlier positions see later
    /// ones, so its earlier states change with every new token: it always decodes without the cache.
    public func greedyDecode(source: [Int32], sourceLength: Int, sourceLengths: [Int32], prefix: [Int32], prefixLength P: Int,
                             batch B: Int, steps: Int, useCache: Bool = true) -> Decoding {
        precondition(config.layout != .encoderOnly, "greedy decoding needs a decoder: use classify for encoder-only models")
        precondition(P >= 1 && prefix.count == B * P && steps >= 0, "greedyDecode: prefix must be (B, P) with P >= 1")
        if P + steps - 1 > 0 { requireLength(P + steps - 1, "decoded") }
        if useCache && config.causalMask {
            return decodeWithCache(source: source, sourceLength: sourceLength, sourceLengths: sourceLengths,
                                   prefix: prefix, prefixLength: P, batch: B, steps: steps)
        }
        return decodeWithoutCache(source: source, sourceLength: sourceLength, sourceLengths: sourceLengths,
                                  prefix: prefix, prefixLength: P, batch: B, steps: steps)
    }

    /// Every step reruns the model on prefix + generated tokens (the reference for the cached path).
    func decodeWithoutCache(source: [Int32], sourceLength: Int, sourceLengths: [Int32], prefix: [Int32], prefixLength P: Int,
                            batch B: Int, steps: Int) -> Decoding {
        let V = config.vocabulary, total = P + steps
        let workspace = reusableWorkspace(maxBatch: B, maxSourceLength: sourceLength, maxTargetLength: max(total - 1, 1))
        var sequences = (0..<B).map { Array(prefix[$0 * P..<($0 + 1) * P]) }
        var result = Decoding(tokens: [], logits: [], steps: steps)
        var tokens = [Int32](repeating: 0, count: B * steps), logits = [Float](repeating: 0, count: B * steps * V)
        for step in 0..<steps {
            let T = P + step
            let batch = SequenceBatch(size: B, sourceLength: sourceLength, source: source, sourceLengths: sourceLengths,
                                      targetLength: T, decoderInput: sequences.flatMap { $0 },
                                      targets: [Int32](repeating: SequenceBatch.ignore, count: B * T),
                                      targetLengths: [Int32](repeating: Int32(T), count: B))
            var noDropout: RNG? = nil
            _ = forward(batch, workspace: workspace, rng: &noDropout)
            for b in 0..<B {
                let row = workspace.logits.data + (b * T + T - 1) * V
                let next = argmax(row, V)
                tokens[b * steps + step] = next
                for v in 0..<V { logits[(b * steps + step) * V + v] = row[v] }
                sequences[b].append(next)
            }
        }
        result.tokens = tokens
        result.logits = logits
        return result
    }

    /// One position at a time through per-layer key/value caches.
    func decodeWithCache(source: [Int32], sourceLength: Int, sourceLengths: [Int32], prefix: [Int32], prefixLength P: Int,
                         batch B: Int, steps: Int) -> Decoding {
        let V = config.vocabulary, total = P + steps
        let state = DecoderState(model: self, batch: B, maxLength: total, memoryLength: sourceLength)
        if config.layout == .encoderDecoder {
            let workspace = reusableWorkspace(maxBatch: B, maxSourceLength: sourceLength, maxTargetLength: 1)
            let batch = SequenceBatch(size: B, sourceLength: sourceLength, source: source, sourceLengths: sourceLengths,
                                      targetLength: 0, decoderInput: [], targets: [], targetLengths: [])
            var noDropout: RNG? = nil
            let memory = runEncoder(batch, workspace: workspace, dropout: 0, rng: &noDropout)
            for (block, blockState) in zip(decoder, state.blocks) {
                block.crossAttention!.fillCrossCache(cache: blockState.crossCache!, keyValue: memory, batch: B,
                                                     keyLength: sourceLength, parameters: parameters)
            }
            for b in 0..<B { state.memoryLengths[b] = sourceLengths[b] }
        }
        var tokens = [Int32](repeating: 0, count: B * steps), logits = [Float](repeating: 0, count: B * steps * V)
        var current = [Int32](repeating: 0, count: B)
        for position in 0..<(total - 1) {
            for b in 0..<B { current[b] = position < P ? prefix[b * P + position] : tokens[b * steps + position - P] }
            let row = decodePosition(current, position: position, state: state)
            guard position >= P - 1 else { continue }
            let step = position - P + 1
            for b in 0..<B {
                let next = argmax(row + b * V, V)
                tokens[b * steps + step] = next
                for v in 0..<V { logits[(b * steps + step) * V + v] = row[b * V + v] }
            }
        }
        return Decoding(tokens: tokens, logits: logits, steps: steps)
    }

    /// Runs one decoder position for every example and returns its logits (B, V) in the state.
    private func decodePosition(_ tokens: [Int32], position: Int, state s: DecoderState) -> UnsafePointer<Float> {
        let B = s.batch
        var noDropout: RNG? = nil
        tokens.withUnsafeBufferPointer { ids in
            _ = targetInput!.forward(out: s.x.data, tokens: ids.baseAddress!, batch: B, length: 1, offset: position,
                                     dropout: 0, rng: &noDropout, mask: s.mask.data, parameters: parameters)
        }
        var x = UnsafePointer(s.x.data)
        for (block, blockState) in zip(decoder, s.blocks) {
            x = block.decodeStep(x: x, batch: B, state: blockState, memoryLengths: s.memoryLengths, parameters: parameters)
        }
        if let decoderNorm {
            decoderNorm.forward(out: s.normed.data, inp: x, rows: B, activations: s.normActivations!, parameters: parameters)
            x = UnsafePointer(s.normed.data)
        }
        if let output {
            output.forward(out: s.logits.data, inp: x, rows: B, parameters: parameters)
        } else {
            targetInput!.embedding.tiedOutputForward(logits: s.logits.data, inp: x, rows: B, parameters: parameters)
        }
        return UnsafePointer(s.logits.data)
    }

    /// The predicted class of each example of an encoder-only model, and the logits (B, classes).
    public func classify(source: [Int32], sourceLength: Int, sourceLengths: [Int32], batch B: Int) -> (classes: [Int32], logits: [Float]) {
        precondition(config.layout == .encoderOnly, "classify needs an encoder-only model")
        let workspace = reusableWorkspace(maxBatch: B, maxSourceLength: sourceLength, maxTargetLength: 0)
        let batch = SequenceBatch(size: B, sourceLength: sourceLength, source: source, sourceLengths: sourceLengths,
                                  targetLength: 0, decoderInput: [], targets: [], targetLengths: [],
                                  labels: [Int32](repeating: SequenceBatch.ignore, count: B))
        var noDropout: RNG? = nil
        _ = forward(batch, workspace: workspace, rng: &noDropout)
        let K = config.classes
        let logits = Array(UnsafeBufferPointer(start: workspace.logits.data, count: B * K))
        return ((0..<B).map { argmax(workspace.logits.data + $0 * K, K) }, logits)
    }

    /// The attention weights of every layer and head for one example (B = 1), teacher-forced on the
    /// decoder input when the model has a decoder.
    public func attentionMaps(_ example: SequenceBatch) -> [AttentionMap] {
        precondition(example.size == 1, "attention maps are taken for one example")
        let workspace = makeWorkspace(maxBatch: 1, maxSourceLength: example.sourceLength, maxTargetLength: example.targetLength)
        var noDropout: RNG? = nil
        _ = forward(example, workspace: workspace, rng: &noDropout)
        var maps: [AttentionMap] = []
        func map(_ kind: String, _ layer: Int, _ a: MultiHeadAttention.Activations, _ Tq: Int, _ Tk: Int) -> AttentionMap {
            let H = config.heads
            return AttentionMap(kind: kind, layer: layer, heads: H, queryLength: Tq, keyLength: Tk,
                                weights: Array(UnsafeBufferPointer(start: a.probabilities.data, count: H * Tq * Tk)))
        }
        let Ts = workspace.encoderLength, Tt = workspace.targetLength
        for (i, a) in workspace.encoderActivations.enumerated() { maps.append(map("encoder self", i, a.selfAttention, Ts, Ts)) }
        for (i, a) in workspace.decoderActivations.enumerated() {
            maps.append(map(config.causalMask ? "decoder masked self" : "decoder self", i, a.selfAttention, Tt, Tt))
            if let cross = a.crossAttention { maps.append(map("decoder cross", i, cross, Tt, Ts)) }
        }
        return maps
    }
}

/// The index of the largest of `count` values (the first on ties).
func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int32 {
    var best = 0
    for i in 1..<max(count, 1) where values[i] > values[best] { best = i }
    return Int32(best)
}

/// Caches and buffers for decoding one position at a time.
final class DecoderState {
    let batch: Int
    let x: Tensor, mask: Tensor, normed: Tensor, logits: Tensor
    let normActivations: LayerNorm.Activations?
    let blocks: [TransformerBlock.DecodeState]
    let memoryLengths: UnsafeMutablePointer<Int32>

    init(model: Transformer, batch B: Int, maxLength: Int, memoryLength: Int) {
        batch = B
        let C = model.config.modelSize
        x = Tensor(shape: [B, C])
        mask = Tensor(shape: [B, C])
        normed = Tensor(shape: [B, C])
        logits = Tensor(shape: [B, model.config.vocabulary])
        normActivations = model.decoderNorm?.makeActivations(maxRows: B)
        blocks = model.decoder.map { TransformerBlock.DecodeState(block: $0, batch: B, maxLength: maxLength, memoryLength: memoryLength) }
        memoryLengths = .allocate(capacity: max(B, 1))
    }

    deinit { memoryLengths.deallocate() }
}

extension TransformerBlock {
    /// One block's caches and one-position buffers for decoding.
    final class DecodeState {
        let selfCache: MultiHeadAttention.KeyValueCache
        let selfActivations: MultiHeadAttention.Activations
        let selfWiring: Sublayer.Activations
        let crossCache: MultiHeadAttention.KeyValueCache?
        let crossActivations: MultiHeadAttention.Activations?
        let crossWiring: Sublayer.Activations?
        let feedForward: FeedForward.Activations?
        let feedForwardWiring: Sublayer.Activations?

        init(block: TransformerBlock, batch B: Int, maxLength: Int, memoryLength: Int) {
            selfCache = block.selfAttention.makeCache(maxBatch: B, maxLength: maxLength)
            selfActivations = block.selfAttention.makeActivations(maxBatch: B, maxQueryLength: 1, maxKeyLength: maxLength)
            selfWiring = block.selfWiring.makeActivations(maxRows: B)
            crossCache = block.crossAttention?.makeCache(maxBatch: B, maxLength: max(memoryLength, 1))
            crossActivations = block.crossAttention?.makeActivations(maxBatch: B, maxQueryLength: 1, maxKeyLength: max(memoryLength, 1))
            crossWiring = block.crossWiring?.makeActivations(maxRows: B)
            feedForward = block.feedForward?.makeActivations(maxRows: B)
            feedForwardWiring = block.feedForwardWiring?.makeActivations(maxRows: B)
        }
    }

    /// One new position (B, 1, C) through the block, using and extending the caches; returns the output.
    func decodeStep(x: UnsafePointer<Float>, batch B: Int, state s: DecodeState, memoryLengths: UnsafePointer<Int32>,
                    parameters: ParameterSet) -> UnsafePointer<Float> {
        var noDropout: RNG? = nil
        selfWiring.forward(x: x, rows: B, dropout: 0, rng: &noDropout, activations: s.selfWiring, parameters: parameters) { out, inp in
            selfAttention.decodeStep(out: out, query: inp, batch: B, cache: s.selfCache, activations: s.selfActivations, parameters: parameters)
        }
        var current = UnsafePointer(s.selfWiring.out.data)
        if let crossAttention, let crossWiring, let cache = s.crossCache, let activations = s.crossActivations, let wiring = s.crossWiring {
            crossWiring.forward(x: current, rows: B, dropout: 0, rng: &noDropout, activations: wiring, parameters: parameters) { out, inp in
                crossAttention.crossDecodeStep(out: out, query: inp, batch: B, cache: cache, keyLengths: memoryLengths,
                                               activations: activations, parameters: parameters)
            }
            current = UnsafePointer(wiring.out.data)
        }
        if let feedForward, let feedForwardWiring, let activations = s.feedForward, let wiring = s.feedForwardWiring {
            feedForwardWiring.forward(x: current, rows: B, dropout: 0, rng: &noDropout, activations: wiring, parameters: parameters) { out, inp in
                feedForward.forward(out: out, inp: inp, rows: B, activations: activations, parameters: parameters)
            }
            current = UnsafePointer(wiring.out.data)
        }
        return current
    }
}
