import Foundation
import VAExprs
import VAExprsPlatform

/// Training progress on stderr: a live bar on a terminal, one line per epoch when piped.
final class ProgressPrinter: TrainingProgress {
    private let live = isatty(STDERR_FILENO) != 0
    private var lastDraw = 0.0

    func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int) {
        guard live else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw > 0.1 || batch == batches else { return }
        lastDraw = now
        let width = 30
        let filled = width * batch / batches
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        StandardStreams.writeError("\repoch \(epoch)/\(epochs) \(bar) \(batch)/\(batches)\u{1B}[K")
    }

    func epochFinished(_ record: EpochRecord, epochs: Int, seconds: Double, cellsPerSecond: Double) {
        var line =
            """
            epoch \(record.epoch)/\(epochs): loss \(fmt(record.loss)) (reconstruction \
            \(fmt(record.reconstruction)), kl \(fmt(record.kl)))
            """
        if let v = record.valLoss { line += ", val_loss \(fmt(v))" }
        line += String(format: ", %.3f s, %.0f cells/s", seconds, cellsPerSecond)
        StandardStreams.writeError((live ? "\r" : "") + line + (live ? "\u{1B}[K\n" : "\n"))
    }

    private func fmt(_ v: Double) -> String { String(format: "%.4f", v) }
}
