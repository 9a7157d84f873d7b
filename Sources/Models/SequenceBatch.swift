/// A batch of examples in the form every model reads, padded to the longest sequence on each side.
///
/// Token ids are 0..<vocabulary. `targets` holds -1 (`SequenceBatch.ignore`) where no loss is taken:
/// padding, and for a decoder-only model the source part of each sequence.
///
///     encoder-decoder: source (B, Ts); decoderInput (B, Tt) = start token + target[0..<Tt-1]; targets (B, Tt)
///     decoder-only:    decoderInput (B, T) = source + separator + target, shifted; targets -1 except on the target
///     encoder-only:    source (B, Ts) (the model prepends its CLS token); labels (B)
public struct SequenceBatch: Sendable {
    /// The target id that takes no loss.
    public static let ignore: Int32 = -1

    /// B: examples in the batch.
    public var size: Int
    /// Ts: the padded source length (0 when there is no source).
    public var sourceLength: Int
    /// (B, Ts) source tokens, padded.
    public var source: [Int32]
    /// (B) valid source tokens per example.
    public var sourceLengths: [Int32]
    /// Tt: the padded decoder length (0 for encoder-only).
    public var targetLength: Int
    /// (B, Tt) decoder input tokens, padded.
    public var decoderInput: [Int32]
    /// (B, Tt) the token each decoder position must predict, or -1.
    public var targets: [Int32]
    /// (B) valid decoder positions per example.
    public var targetLengths: [Int32]
    /// (B) classes for an encoder-only classifier (empty otherwise).
    public var labels: [Int32]

    public init(size: Int, sourceLength: Int, source: [Int32], sourceLengths: [Int32],
                targetLength: Int, decoderInput: [Int32], targets: [Int32], targetLengths: [Int32], labels: [Int32] = []) {
        precondition(source.count == size * sourceLength && sourceLengths.count == (sourceLength > 0 ? size : sourceLengths.count),
                     "source is \(source.count) tokens for \(size) x \(sourceLength)")
        precondition(decoderInput.count == size * targetLength && targets.count == size * targetLength,
                     "decoder input and targets must be \(size) x \(targetLength)")
        self.size = size
        self.sourceLength = sourceLength
        self.source = source
        self.sourceLengths = sourceLengths
        self.targetLength = targetLength
        self.decoderInput = decoderInput
        self.targets = targets
        self.targetLengths = targetLengths
        self.labels = labels
    }
}

/// What one forward pass measured.
public struct LossResult: Sendable, Equatable {
    /// Mean cross-entropy over the counted positions (tokens, or examples for a classifier).
    public var loss: Float
    /// Positions whose argmax prediction is right (teacher forcing).
    public var correct: Int
    /// Positions that count (targets other than -1).
    public var counted: Int

    public var accuracy: Double { counted > 0 ? Double(correct) / Double(counted) : 0 }
}
