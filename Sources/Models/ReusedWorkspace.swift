/// What `ReusedWorkspace` needs to know of a workspace: the sizes it was made for.
protocol SizedWorkspace: AnyObject {
    var maxBatch: Int { get }
    var maxSourceLength: Int { get }
    var maxTargetLength: Int { get }
}

extension Transformer.Workspace: SizedWorkspace {}
extension RNNSeq2Seq.Workspace: SizedWorkspace {}

/// One workspace kept from call to call and grown when a call needs more: the store behind each model's
/// `reusableWorkspace`. For one thread at a time.
final class ReusedWorkspace<Workspace: SizedWorkspace> {
    private var kept: Workspace?

    /// The kept workspace when it is large enough for these sizes, else a new one from
    /// make(batch, source length, target length) covering both, kept in its place.
    func fitting(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int,
                 make: (Int, Int, Int) -> Workspace) -> Workspace {
        if let kept, kept.maxBatch >= maxBatch, kept.maxSourceLength >= maxSourceLength, kept.maxTargetLength >= maxTargetLength {
            return kept
        }
        let grown = make(max(maxBatch, kept?.maxBatch ?? 0), max(maxSourceLength, kept?.maxSourceLength ?? 0),
                         max(maxTargetLength, kept?.maxTargetLength ?? 0))
        kept = grown
        return grown
    }
}
