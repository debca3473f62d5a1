import Foundation
import Testing
import VAExprsCore
import VAExprsModels
import VAExprsPlots

/// Three labelled groups of real cells and as many generated ones, embedded in 2-D.
func sampleAugmentation(perGroup: Int = 20) -> (cells: [AugmentationFigure.Cell], coordinates: DoubleMatrix) {
    var rng = SeededGenerator(seed: 3)
    var cells: [AugmentationFigure.Cell] = []
    var coordinates: [Double] = []
    for generated in [false, true] {
        for g in 0..<3 {
            for i in 0..<perGroup {
                cells.append(
                    AugmentationFigure.Cell(
                        id: "\(generated ? "gen" : "cell")_\(g)_\(i)", generated: generated, label: "group\(g + 1)"))
                coordinates += [Double(g) * 5 + rng.nextNormal(), Double(g % 2) * 4 + rng.nextNormal()]
            }
        }
    }
    return (cells, DoubleMatrix(rows: cells.count, columns: 2, storage: coordinates))
}

@Suite struct FigureTests {
    @Test func niceTicks() {
        #expect(Tick.nice(from: 0, to: 10, count: 5).map(\.value) == [0, 2, 4, 6, 8, 10])
        #expect(
            Tick.nice(from: -0.93, to: 0.41, count: 6).map(\.label) == [
                "−0.8", "−0.6", "−0.4", "−0.2", "0", "0.2", "0.4"
            ])
        #expect(Tick.nice(from: -120, to: 80, count: 4).map(\.label) == ["−100", "−50", "0", "50"])
        let axis = Axis(title: "x", covering: [2, 4])
        #expect(axis.lower < 2 && axis.upper > 4 && abs(axis.fraction(3) - 0.5) < 1e-12)
    }

    /// Issue 14: a nearly constant axis (a plot of one cell, a flat loss history far from zero)
    /// once looped forever placing ticks; every range now gives a few ticks at once.
    @Test func ticksOnNearlyFlatAndExtremeAxesEnd() {
        #expect(Tick.nice(from: 1e16, to: 1e16 + 2, count: 6).count == 1)
        #expect(Tick.nice(from: 1, to: 1 + 1e-13, count: 6).count == 1)
        #expect(Tick.nice(from: -1e308, to: 1e308, count: 6).isEmpty)
        #expect(Tick.nice(from: 0, to: .infinity, count: 6).isEmpty)
        let flat = Axis(title: "loss", covering: [123456.789, 123456.789 + 1e-9])
        #expect(!flat.ticks.isEmpty && flat.ticks.count <= 14)
        for count in 1...12 {
            #expect(Tick.nice(from: -3.7, to: 91.2, count: count).count <= 2 * count + 3)
        }
    }

    @Test func augmentationFigureEncodesOriginAndLabel() throws {
        let (cells, xy) = sampleAugmentation()
        let figure = AugmentationFigure.make(
            cells: cells, coordinates: xy, axisTitles: ["PC1 (40.0 %)", "PC2 (20.0 %)"], method: "pca")
        #expect(figure.panels.count == 1 && figure.panels[0].x.title == "PC1 (40.0 %)")
        guard case .points(let points) = figure.panels[0].marks[0] else {
            Issue.record("no points")
            return
        }
        #expect(points.x.count == 120 && points.tooltips?.count == 120)
        // Generated cells are hollow and drawn first, real cells on top, both translucent;
        // labels change the shape only.
        let generated = points.style.map { !points.styles[$0].filled }
        #expect(generated == Array(repeating: true, count: 60) + Array(repeating: false, count: 60))
        #expect(points.styles.allSatisfy { $0.opacity < 1 && $0.opacity > 0.3 })
        #expect(Set(points.styles.map(\.shape)).count == 3)
        #expect(Set(points.styles.filter(\.filled).map(\.colour)).count == 1)  // coloured by origin
        #expect(
            points.tooltips![60].contains("cell_0_0") && points.tooltips![60].contains("origin: real")
                && points.tooltips![60].contains("label: group1"))
        #expect(figure.legends.map(\.title) == ["Origin", "Label"])
        #expect(figure.legends[1].entries.map(\.group) == ["label:group1", "label:group2", "label:group3"])
        let byLabel = AugmentationFigure.make(
            cells: cells, coordinates: xy, axisTitles: [], method: "umap", colourBy: .label)
        guard case .points(let p2) = byLabel.panels[0].marks[0] else {
            Issue.record("the first mark of the figure coloured by label is not points")
            return
        }
        #expect(Set(p2.styles.map(\.colour)) == Set([Colour.okabeIto[0], Colour.okabeIto[1], Colour.okabeIto[2]]))
        #expect(byLabel.panels[0].x.title == "umap 1")
        // The description survives JSON (how it reaches plugin renderers).
        let decoded = try JSONDecoder().decode(Figure.self, from: JSONEncoder().encode(figure))
        #expect(decoded == figure)
    }

    /// Issue 15: labels keep their shape and colour whatever order cells come in (sorted,
    /// numbers by value); unlabelled cells get their own marker; above the drawing limit a
    /// seeded subsample is drawn and the title says so.
    @Test func labelsAreStableUnlabelledCellsMarkedAndLargeCloudsSubsampled() {
        let labels = ["10", "2", "B", "1", "a"]
        #expect(AugmentationFigure.sortedLabels(labels + ["2"]) == ["1", "2", "10", "B", "a"])
        func figure(_ order: [String], generatedLabel: String?) -> Figure {
            let cells =
                order.map { AugmentationFigure.Cell(id: "r" + $0, generated: false, label: $0) }
                + [AugmentationFigure.Cell(id: "g", generated: true, label: generatedLabel)]
            let xy = DoubleMatrix(rows: cells.count, columns: 2, storage: (0..<(2 * cells.count)).map(Double.init))
            return AugmentationFigure.make(
                cells: cells, coordinates: xy, axisTitles: [], method: "pca", colourBy: .label)
        }
        let a = figure(labels, generatedLabel: nil), b = figure(labels.reversed(), generatedLabel: nil)
        #expect(a.legends[1].entries == b.legends[1].entries)
        #expect(a.legends[1].entries.map(\.label) == ["1", "2", "10", "B", "a", AugmentationFigure.unlabelled])
        guard case .points(let p) = a.panels[0].marks[0] else {
            Issue.record("no points")
            return
        }
        let unlabelled = p.styles[p.style[p.tooltips!.firstIndex { $0.hasPrefix("g\n") }!]]
        #expect(
            unlabelled.shape == .cross && unlabelled.colour == .grey
                && unlabelled.groups.contains("label:" + AugmentationFigure.unlabelled))
        #expect(
            !figure(labels, generatedLabel: "2").legends[1].entries.contains {
                $0.label == AugmentationFigure.unlabelled
            })
        // A large generated cloud: the limit drawn, said in the title, the same cells for the same seed.
        let many = AugmentationFigure.maximumPointsPerOrigin + 500
        let cells =
            (0..<many).map { AugmentationFigure.Cell(id: "g\($0)", generated: true, label: nil) }
            + (0..<10).map { AugmentationFigure.Cell(id: "r\($0)", generated: false, label: nil) }
        let xy = DoubleMatrix(rows: cells.count, columns: 2, storage: (0..<(2 * cells.count)).map(Double.init))
        let big = AugmentationFigure.make(cells: cells, coordinates: xy, axisTitles: [], method: "pca", seed: 3)
        guard case .points(let q) = big.panels[0].marks[0] else {
            Issue.record("no points")
            return
        }
        #expect(q.x.count == AugmentationFigure.maximumPointsPerOrigin + 10)
        #expect(big.title!.contains("\(AugmentationFigure.maximumPointsPerOrigin) of \(many) generated cells drawn"))
        #expect(big == AugmentationFigure.make(cells: cells, coordinates: xy, axisTitles: [], method: "pca", seed: 3))
    }

    /// Issue 15: a loss spanning decades is drawn on a log axis; epochs never go below zero.
    @Test func lossesSpanningDecadesUseALogAxis() {
        var history = TrainingHistory()
        history.epochs = (1...20).map { (e: Int) -> EpochRecord in
            let first = e == 1
            let loss: Double = first ? 160_000 : 300 - Double(e)
            let reconstruction: Double = first ? 160_000 : 290
            let kl: Double = 0.5 + Double(e) * 0.01
            return EpochRecord(epoch: e, loss: loss, reconstruction: reconstruction, kl: kl)
        }
        let f = HistoryFigure.make(history)
        #expect(f.panels[0].y.scale == .log && f.panels[0].y.title.contains("log"))
        #expect(f.panels[2].y.scale == .linear)  // 0.51…0.7: no decades
        #expect(f.panels[0].x.lower >= 0)
        let axis = f.panels[0].y
        #expect(abs(axis.fraction(sqrt(axis.lower * axis.upper)) - 0.5) < 1e-9)
        #expect(
            axis.ticks.contains { $0.value == 1000 }
                && axis.ticks.allSatisfy { $0.value >= axis.lower && $0.value <= axis.upper })
        var one = TrainingHistory()
        one.epochs = [EpochRecord(epoch: 1, loss: 5, reconstruction: 5, kl: 0)]
        #expect(HistoryFigure.make(one).panels[0].x.lower >= 0)
    }

    @Test func historyFigureMarksTheRestoredEpoch() {
        var history = TrainingHistory()
        history.monitor = "val_loss"
        for e in 1...30 {
            history.epochs.append(
                EpochRecord(
                    epoch: e, loss: 100 / Double(e), reconstruction: 90 / Double(e), kl: 10 / Double(e),
                    valLoss: 120 / Double(e) + Double(e), valReconstruction: 100 / Double(e), valKL: 5))
        }
        history.restoredEpoch = 11
        let figure = HistoryFigure.make(history)
        #expect(figure.panels.map(\.title) == ["loss", "reconstruction", "KL divergence"])
        let markers = figure.panels[0].marks.compactMap { mark -> PointMark? in
            if case .points(let p) = mark { p } else { nil }
        }
        #expect(markers.count == 1 && markers[0].x == [11] && abs(markers[0].y[0] - (120.0 / 11 + 11)) < 1e-12)
        #expect(figure.legends[0].entries.map(\.label) == ["training", "validation", "restored: epoch 11"])
    }
}
