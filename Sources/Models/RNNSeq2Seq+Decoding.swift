import Layers
import Tensors

extension RNNSeq2Seq {
    /// Greedy decoding: the encoder runs once, then each of `steps` decoder steps reads the argmax of
    /// the previous step (`startToken` first). The recurrent states are the cache: a step costs one
    /// attention and one cell update per layer, whatever the number of tokens decoded so far.
    /// Decoding only ever sees tokens it has produced.
    ///
    /// Shapes: source (B, Ts) padded, sourceLengths (B); tokens (B, steps), logits (B, steps, V).
    public func greedyDecode(source: [Int32], sourceLength: Int, sourceLengths: [Int32], startToken: Int32,
                             batch B: Int, steps: Int) -> Decoding {
        precondition(steps >= 0, "greedyDecode: steps must be non-negative, got \(steps)")
        let V = config.vocabulary, E = config.embeddingSize, D = outputRowSize
        precondition(startToken >= 0 && Int(startToken) < V, "greedyDecode: start token \(startToken) is outside 0..<\(V)")
        let w = reusableWorkspace(maxBatch: B, maxSourceLength: sourceLength, maxTargetLength: steps)
        var noDropout: RNG? = nil
        w.dropout = 0
        loadSource(source, lengths: sourceLengths, batch: B, length: sourceLength, workspace: w)
        w.targetLength = steps
        encode(w, rng: &noDropout)
        startDecoder(w)
        let rows = Tensor(shape: [B, D]), stepLogits = Tensor(shape: [B, V])
        var tokens = [Int32](repeating: 0, count: B * steps), logits = [Float](repeating: 0, count: B * steps * V)
        var previous = [Int32](repeating: startToken, count: B)
        for t in 0..<steps {
            // targetEmbedded[b, t] = embed(y_{t-1})
            previous.withUnsafeBufferPointer { ids in
                for b in 0..<B {
                    targetEmbedding.forward(out: w.targetEmbedded.data + (b * steps + t) * E, tokens: ids.baseAddress! + b, rows: 1,
                                            parameters: parameters)
                }
            }
            decoderStep(t, workspace: w, rng: &noDropout)
            for b in 0..<B { copyValues(out: rows.data + b * D, inp: w.outputRows.data + (b * steps + t) * D, count: D) }
            output.forward(out: stepLogits.data, inp: rows.data, rows: B, parameters: parameters)
            for b in 0..<B {
                let row = stepLogits.data + b * V
                previous[b] = argmax(row, V)
                tokens[b * steps + t] = previous[b]
                for v in 0..<V { logits[(b * steps + t) * V + v] = row[v] }
            }
        }
        return Decoding(tokens: tokens, logits: logits, steps: steps)
    }

    /// The alignment of one example (B = 1), teacher-forced on its decoder input: one map of kind
    /// "alignment", layer 0, one head, (Tt, Ts), whose row t holds the attention weights of step t
    /// (zero on padded source positions). Empty for a model without attention.
    public func attentionMaps(_ example: SequenceBatch) -> [AttentionMap] {
        precondition(example.size == 1, "attention maps are taken for one example")
        guard attention != nil else { return [] }
        let workspace = makeWorkspace(maxBatch: 1, maxSourceLength: example.sourceLength, maxTargetLength: example.targetLength)
        var noDropout: RNG? = nil
        _ = forward(example, workspace: workspace, rng: &noDropout)
        let Tt = example.targetLength, Ts = example.sourceLength
        // (Tt, B, Ts) with B = 1 is (Tt, Ts)
        let weights = Array(UnsafeBufferPointer(start: workspace.attentionWeights.data, count: Tt * Ts))
        return [AttentionMap(kind: "alignment", layer: 0, heads: 1, queryLength: Tt, keyLength: Ts, weights: weights)]
    }
}
