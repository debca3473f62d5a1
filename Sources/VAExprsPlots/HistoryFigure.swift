import VAExprsCore
import VAExprsModels

/// The training history: loss, reconstruction and KL per epoch (training and validation),
/// with the epoch whose weights were restored marked.
package enum HistoryFigure {
    /// Positive values whose largest is at least `decadesRatio` × the smallest are drawn on a
    /// log axis (a first epoch of 160 000 would flatten the rest on a linear one).
    package static let decadesRatio = 100.0

    static func spansDecades(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low >= decadesRatio
    }

    /// The figure: three panels (loss, reconstruction, KL), training and validation lines.
    package static func make(_ history: TrainingHistory, width: Double = 1080, height: Double = 380) -> Figure {
        let epochs = history.epochs.map { Double($0.epoch) }
        let training = Colour.categorical(0), validation = Colour.categorical(1), marker = Colour.categorical(2)
        let hasValidation = history.epochs.contains { $0.valLoss != nil }
        // Epochs start at 1: the axis never shows negative ones.
        var epochAxis = Axis(title: "epoch", covering: epochs)
        if epochAxis.lower < 0 {
            epochAxis = Axis(
                title: "epoch", lower: 0, upper: epochAxis.upper,
                ticks: Tick.nice(from: 0, to: epochAxis.upper, count: 6))
        }
        func panel(_ title: String, _ train: (EpochRecord) -> Double, _ val: (EpochRecord) -> Double?) -> Panel {
            let t = history.epochs.map(train)
            let v = history.epochs.map { val($0) ?? .nan }
            var marks: [Mark] = [.line(LineMark(x: epochs, y: t, colour: training, width: 1.6, group: "training"))]
            if hasValidation {
                marks.append(
                    .line(LineMark(x: epochs, y: v, colour: validation, width: 1.6, dash: [5, 3], group: "validation")))
            }
            let values = t + v.filter(\.isFinite)
            let yAxis =
                spansDecades(values)
                ? Axis.logarithmic(title: title + " (log scale)", covering: values)
                : Axis(title: title, covering: values)
            if let best = history.restoredEpoch, let record = history.epochs.first(where: { $0.epoch == best }) {
                marks.append(
                    .line(
                        LineMark(
                            x: [Double(best), Double(best)], y: [yAxis.lower, yAxis.upper], colour: marker, width: 1,
                            dash: [2, 2],
                            group: "restored epoch")))
                let value = history.monitor == "val_loss" ? (val(record) ?? train(record)) : train(record)
                marks.append(
                    .points(
                        PointMark(
                            x: [Double(best)], y: [value], style: [0],
                            styles: [PointStyle(colour: marker, shape: .diamond, size: 9, groups: ["restored epoch"])],
                            tooltips: ["restored epoch \(best)"])))
            }
            return Panel(title: title, x: epochAxis, y: yAxis, marks: marks)
        }
        let panels = [
            panel("loss", \.loss, \.valLoss),
            panel("reconstruction", \.reconstruction, \.valReconstruction),
            panel("KL divergence", \.kl, \.valKL)
        ]
        var entries = [LegendEntry(label: "training", colour: training, shape: nil, group: "training")]
        if hasValidation {
            entries.append(LegendEntry(label: "validation", colour: validation, shape: nil, group: "validation"))
        }
        if let best = history.restoredEpoch {
            entries.append(
                LegendEntry(label: "restored: epoch \(best)", colour: marker, shape: .diamond, group: "restored epoch"))
        }
        let stop = history.stoppedEarly ? ", stopped early" : ""
        return Figure(
            title: "Training history (\(history.epochs.count) epochs, monitor \(history.monitor)\(stop))",
            width: width, height: height, panels: panels, columns: 3,
            legends: [Legend(title: "Series", entries: entries)])
    }
}
