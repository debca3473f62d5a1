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
                cells.append(AugmentationFigure.Cell(id: "\(generated ? "gen" : "cell")_\(g)_\(i)", generated: generated, label: "group\(g + 1)"))
                coordinates += [Double(g) * 5 + rng.nextNormal(), Double(g % 2) * 4 + rng.nextNormal()]
            }
        }
    }
    return (cells, DoubleMatrix(rows: cells.count, columns: 2, storage: coordinates))
}

@Suite struct FigureTests {
    @Test func niceTicks() {
        #expect(Tick.nice(from: 0, to: 10, count: 5).map(\.value) == [0, 2, 4, 6, 8, 10])
        #expect(Tick.nice(from: -0.93, to: 0.41, count: 6).map(\.label) == ["−0.8", "−0.6", "−0.4", "−0.2", "0", "0.2", "0.4"])
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
        let figure = AugmentationFigure.make(cells: cells, coordinates: xy, axisTitles: ["PC1 (40.0 %)", "PC2 (20.0 %)"], method: "pca")
        #expect(figure.panels.count == 1 && figure.panels[0].x.title == "PC1 (40.0 %)")
        guard case .points(let points) = figure.panels[0].marks[0] else { Issue.record("no points"); return }
        #expect(points.x.count == 120 && points.tooltips?.count == 120)
        // Generated cells are hollow and drawn after the real ones; labels change the shape only.
        let generated = points.style.map { !points.styles[$0].filled }
        #expect(generated == Array(repeating: false, count: 60) + Array(repeating: true, count: 60))
        #expect(Set(points.styles.map(\.shape)).count == 3)
        #expect(Set(points.styles.filter(\.filled).map(\.colour)).count == 1)  // coloured by origin
        #expect(points.tooltips![0].contains("cell_0_0") && points.tooltips![0].contains("origin: real") && points.tooltips![0].contains("label: group1"))
        #expect(figure.legends.map(\.title) == ["Origin", "Label"])
        #expect(figure.legends[1].entries.map(\.group) == ["label:group1", "label:group2", "label:group3"])
        let byLabel = AugmentationFigure.make(cells: cells, coordinates: xy, axisTitles: [], method: "umap", colourBy: .label)
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

    @Test func historyFigureMarksTheRestoredEpoch() {
        var history = TrainingHistory()
        history.monitor = "val_loss"
        for e in 1...30 {
            history.epochs.append(EpochRecord(epoch: e, loss: 100 / Double(e), reconstruction: 90 / Double(e), kl: 10 / Double(e),
                                              valLoss: 120 / Double(e) + Double(e), valReconstruction: 100 / Double(e), valKL: 5))
        }
        history.restoredEpoch = 11
        let figure = HistoryFigure.make(history)
        #expect(figure.panels.map(\.title) == ["loss", "reconstruction", "KL divergence"])
        let markers = figure.panels[0].marks.compactMap { mark -> PointMark? in if case .points(let p) = mark { p } else { nil } }
        #expect(markers.count == 1 && markers[0].x == [11] && abs(markers[0].y[0] - (120.0 / 11 + 11)) < 1e-12)
        #expect(figure.legends[0].entries.map(\.label) == ["training", "validation", "restored: epoch 11"])
    }
}
