extension Model {
    /// About how many bytes the buffers of one forward pass (`reusableWorkspace`) take for batches of
    /// `batch` examples of `sourceLength` source and `targetLength` decoder positions: what a caller
    /// compares against the memory it has before asking for sizes a user chose. Counted in `Double`,
    /// so any size gives a number (never an overflow); an estimate within a small factor, dominated by
    /// the attention matrices (B, H, Tq, Tk), the activations (B, T, C) and the logits (B, T, V).
    public func workspaceBytes(batch: Int, sourceLength: Int, targetLength: Int) -> Double {
        let B = Double(max(batch, 1)), Ts = Double(max(sourceLength, 0)), Tt = Double(max(targetLength, 0))
        switch self {
        case .transformer(let model):
            let config = model.config
            let C = Double(config.modelSize), H = Double(config.heads), F = Double(config.feedForward ? config.feedForwardSize : 0)
            let V = Double(config.layout == .encoderOnly ? config.classes : config.vocabulary)
            let Te = config.layout == .decoderOnly ? 0 : Ts + (config.layout == .encoderOnly ? 1 : 0)
            let Td = config.layout == .encoderOnly ? 0 : Tt
            func block(_ T: Double, memory: Double) -> Double {
                let rows = B * T
                let attention = (B + 3) * H * T * T + (memory > 0 ? (B + 3) * H * T * memory : 0)
                return 16 * rows * C + 4 * rows * F + attention
            }
            let encoder = Double(model.encoder.count) * block(Te, memory: 0)
            let decoder = Double(model.decoder.count) * block(Td, memory: config.layout == .encoderDecoder ? Te : 0)
            let outputRows = config.layout == .encoderOnly ? B : B * Td
            return 4 * (encoder + decoder + 6 * B * (Te + Td) * C + 4 * outputRows * V)
        case .rnn(let model):
            let config = model.config
            let E = Double(config.embeddingSize), Hd = Double(config.hidden), A = Double(config.attentionSize)
            let L = Double(config.layers), V = Double(config.vocabulary)
            let directions: Double = config.bidirectional ? 2 : 1
            let encoder = B * Ts * (2 * E + L * directions * 12 * Hd)
            let decoder = B * Tt * (2 * E + L * 12 * Hd + 4 * directions * Hd)
            let attention = config.attention == .none ? 0 : B * Tt * Ts * 4 + B * Ts * A * 2 + B * Tt * Ts * A
            return 4 * (encoder + decoder + attention + 4 * B * Tt * V)
        }
    }

    /// About how many bytes `predict(source:steps:)` takes for a source of `sourceLength` tokens and
    /// `steps` generated ones: the decoding buffers (a Transformer's key/value caches, or the whole
    /// sequence's workspace when it decodes without them) and the logits it returns, which the caller
    /// copies and may print as text.
    public func decodingBytes(sourceLength: Int, steps: Int) -> Double {
        let Ts = Double(max(sourceLength, 0)), S = Double(max(steps, 0))
        switch self {
        case .transformer(let model):
            let config = model.config
            let C = Double(config.modelSize), V = Double(config.vocabulary)
            switch config.layout {
            case .encoderOnly:
                return workspaceBytes(batch: 1, sourceLength: sourceLength, targetLength: 0)
            case .decoderOnly where !config.causalMask, .encoderDecoder where !config.causalMask:
                let total = config.layout == .decoderOnly ? sourceLength + steps : steps
                return workspaceBytes(batch: 1, sourceLength: sourceLength, targetLength: total) + 32 * S * V
            case .decoderOnly, .encoderDecoder:
                let total = (config.layout == .decoderOnly ? Ts + 1 : 1) + S
                let caches = Double(model.decoder.count) * 4 * (2 * total * C + 2 * Ts * C)
                let encoder = config.layout == .encoderDecoder ? workspaceBytes(batch: 1, sourceLength: sourceLength, targetLength: 1) : 0
                return caches + encoder + 32 * S * V
            }
        case .rnn(let model):
            return workspaceBytes(batch: 1, sourceLength: sourceLength, targetLength: steps) + 32 * S * Double(model.config.vocabulary)
        }
    }
}
