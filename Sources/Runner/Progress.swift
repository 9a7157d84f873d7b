import Foundation
import Reports
import Store

#if canImport(Glibc)
import Glibc
#endif

/// What `ablate run` shows while workers train: on a terminal, a progress bar with runs done / total
/// and an ETA plus a line per running run; otherwise plain log lines as runs finish.
public final class Progress {
    let interactive: Bool
    private var reported: Set<String> = []
    private var drawnLines = 0
    private let started = Date()
    private let write: (String) -> Void

    public init(interactive: Bool = isatty(STDOUT_FILENO) != 0, write: @escaping (String) -> Void = { print($0) }) {
        self.interactive = interactive
        self.write = write
    }

    /// A message on its own line, escaped for the terminal (it may hold names and paths from the user).
    public func note(_ message: String) {
        clear()
        write(Escaping.terminal(message))
    }

    /// Marks runs finished before this sweep, so that only what this sweep does is logged.
    public func markReported(_ runs: [RunRecord]) {
        for run in runs where run.status.isFinished || run.status == .interrupted { reported.insert(Progress.identity(run)) }
    }

    /// A run's attempt: a run redone after an interruption is reported again.
    static func identity(_ run: RunRecord) -> String { "\(run.key)#\(run.attempts)" }

    /// With [tune]: what each run is for ("trial lr=0.003, rung 0", "final lr=0.003"), by key.
    private var parts: [String: String] = [:]

    /// What the tuning rows say a run is for, read again when a run is not known yet.
    func part(of run: RunRecord, store: ResultStore) -> String? {
        if parts[run.key] == nil, let tuning = try? store.tuning(experiment: run.experiment) {
            let names = tuning.settings.candidates.map(\.name)
            var rebuilt: [String: String] = [:]
            for row in tuning.runs {
                let name = row.candidate.flatMap { names.indices.contains($0) ? names[$0] : nil }
                let text = row.role.rawValue + (name.map { " " + $0 } ?? "") + (row.rung.map { ", rung \($0)" } ?? "")
                rebuilt[row.run] = rebuilt[row.run].map { $0 + " and " + text } ?? text
            }
            parts = rebuilt
        }
        return parts[run.key]
    }

    /// Redraws (terminal) or logs newly finished runs (plain).
    public func update(_ runs: [RunRecord], store: ResultStore) {
        let finished = runs.filter { $0.status.isFinished || $0.status == .interrupted }
        var lines: [String] = []
        for run in finished where !reported.contains(Progress.identity(run)) && run.started != nil {
            reported.insert(Progress.identity(run))
            let seconds = run.wallSeconds.map { String(format: "%.1f s", $0) } ?? "-"
            let role = part(of: run, store: store).map { Escaping.terminal($0) + ": " } ?? ""
            var line = "\(run.status.rawValue): \(Escaping.terminal(run.variant)) seed \(run.seed) (\(role)\(run.steps ?? 0) steps, \(seconds))"
            if let error = run.error { line += ": \(Escaping.terminal(error))" }
            lines.append(line)
        }
        if !interactive {
            for line in lines { write(line) }
            return
        }
        clear()
        for line in lines { write(line) }
        let done = finished.count, total = runs.count
        let width = 30
        let filled = total > 0 ? width * done / total : 0
        var status = "[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) runs"
        let durations = finished.compactMap(\.wallSeconds)
        let running = runs.filter { $0.status == .running }
        if !durations.isEmpty && done < total {
            let mean = durations.reduce(0, +) / Double(durations.count)
            let eta = mean * Double(total - done) / Double(max(running.count, 1))
            status += String(format: ", ETA %.0f s", eta)
        }
        var screen = [status]
        for run in running {
            let loss = (try? store.metrics(run: run.key, split: .train, name: .loss))?.last
            let accuracy = (try? store.metrics(run: run.key, split: .validation, name: .exactMatch))?.last
            var line = "  \(Escaping.terminal(run.variant)) seed \(run.seed)"
            if let loss { line += String(format: ": step %d, loss %.4f", loss.step, loss.value) }
            if let accuracy { line += String(format: ", validation \(MetricName.exactMatch.label) %.3f", accuracy.value) }
            screen.append(line)
        }
        for line in screen { write(line) }
        drawnLines = screen.count
    }

    /// Erases the status lines drawn last (terminal only).
    private func clear() {
        guard interactive, drawnLines > 0 else { return }
        var escape = ""
        for _ in 0..<drawnLines { escape += "\u{1B}[1A\u{1B}[2K" }
        FileHandle.standardOutput.write(Data(escape.utf8))
        drawnLines = 0
    }
}
