import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 31: the augmentation-utility test measures what it claims — generators of known
/// behaviour give the gains they must, and the package's own generator is run end to end.
@Suite struct AugmentationUtilityTests {
    /// Negative-binomial counts of `types` cell types: each type raises its own 12 marker genes
    /// `fold`-fold over shared base proportions; log-normal library sizes; θ = 2.
    struct Simulation {
        let genes = 120, types = 3
        let proportions: [[Double]]
        let fold: Double

        init(fold: Double, seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            let base = (0..<genes).map { _ in exp(1.2 * rng.nextNormal()) }
            self.fold = fold
            proportions = (0..<types).map { t in
                let raised = base.enumerated().map { j, b in j / 12 == t ? b * fold : b }
                let total = raised.reduce(0, +)
                return raised.map { $0 / total }
            }
        }

        /// `count` cells of type `t`, as rows of counts.
        func cells(type t: Int, count: Int, rng: inout SeededGenerator) -> [[Float]] {
            (0..<count).map { _ in
                let library = exp(log(1500) + 0.3 * rng.nextNormal())
                return proportions[t].map {
                    Float(rng.nextNegativeBinomial(mean: library * $0, inverseDispersion: 2))
                }
            }
        }

        /// `perType` cells of each type with their labels ("t0", "t1", ...).
        func dataset(perType: Int, seed: UInt64) -> (ExpressionMatrix, [[String]]) {
            var rng = SeededGenerator(seed: seed)
            var rows: [[Float]] = [], labels: [[String]] = []
            for t in 0..<types {
                rows += cells(type: t, count: perType, rng: &rng)
                labels += [[String]](repeating: ["t\(t)"], count: perType)
            }
            return (matrix(rows, prefix: "cell"), labels)
        }

        func matrix(_ rows: [[Float]], prefix: String) -> ExpressionMatrix {
            ExpressionMatrix(
                cellIDs: rows.indices.map { "\(prefix)\($0)" }, geneNames: (0..<genes).map { "g\($0)" },
                values: Matrix(rows: rows.count, columns: genes, storage: rows.flatMap { $0 }))
        }
    }

    func request(_ data: ExpressionMatrix, _ labels: [[String]], epochs: Int = 40) -> UtilityRequest {
        var fit = FitRequest(
            cells: data, labels: labels, training: TrainingOptions(epochs: epochs, batchSize: 32, seed: 1))
        fit.threads = 1
        var request = UtilityRequest(fit: fit)
        request.repeats = 2
        request.added = 40
        return request
    }

    /// Draws `count` training cells of each label again (a generator that copies).
    let copying: AugmentationUtility.Learn = { training, labels, _, _ in
        { wanted, seed in
            var rng = SeededGenerator(seed: seed)
            var rows: [Int] = [], drawn: [String] = []
            for (label, count) in wanted {
                let members = labels.indices.filter { labels[$0] == label }
                rows += (0..<count).map { _ in members[Int(rng.next() % UInt64(members.count))] }
                drawn += [String](repeating: label, count: count)
            }
            return (training.selectingCellsForTests(rows), drawn)
        }
    }

    /// Fresh cells of the true distribution (what a perfect generator would give).
    func oracle(_ simulation: Simulation) -> AugmentationUtility.Learn {
        { _, _, _, _ in
            { wanted, seed in
                var rng = SeededGenerator(seed: seed)
                var rows: [[Float]] = [], drawn: [String] = []
                for (label, count) in wanted {
                    rows += simulation.cells(type: Int(label.dropFirst())!, count: count, rng: &rng)
                    drawn += [String](repeating: label, count: count)
                }
                return (simulation.matrix(rows, prefix: "gen"), drawn)
            }
        }
    }

    func mean(_ report: UtilityReport, _ arm: String) -> Double { report.perLabelMeanF1![arm]!.mean }

    let simulation = Simulation(fold: 2.5, seed: 1)

    @Test func aGeneratorThatCopiesTheKeptCellsGainsNoMoreThanDuplication() throws {
        let (data, labels) = simulation.dataset(perType: 60, seed: 2)
        let r = try AugmentationUtility.run(request(data, labels), learn: copying).report
        // Adding cells of the rare label helps the classifier (class balance) ...
        #expect(mean(r, "duplicated") - mean(r, "real") > 0.1)
        // ... but copies of the kept cells are duplication by another name.
        #expect(abs(mean(r, "generated") - mean(r, "duplicated")) < 0.05)
    }

    @Test func freshCellsOfTheTrueDistributionGiveTheExpectedGain() throws {
        let (data, labels) = simulation.dataset(perType: 60, seed: 2)
        let r = try AugmentationUtility.run(request(data, labels), learn: oracle(simulation)).report
        // 40 new cells of the type carry what 5 cannot: most of the way to every training cell.
        #expect(mean(r, "generated") - mean(r, "duplicated") > 0.15)
        #expect(mean(r, "generated") > r.perLabelMeanCeilingF1!.mean - 0.15)
        #expect(r.perLabelMeanF1!["generated_only"]!.mean > mean(r, "duplicated"))
    }

    @Test func thePackagesGeneratorHelpsOnSeparableTypesBeyondDuplication() throws {
        let (data, labels) = simulation.dataset(perType: 60, seed: 2)
        let result = try AugmentationUtility.run(request(data, labels), registry: try Builtins.makeRegistry())
        let r = result.report
        #expect(r.fits == 8 && r.model.hasPrefix("zinb"), "\(r.model)")
        #expect(mean(r, "generated") - mean(r, "real") > 0.15)
        #expect(mean(r, "generated") > mean(r, "duplicated"))
        #expect(r.capped != nil && r.perLabel?.count == 3)
        let json = try JSONSerialization.jsonObject(with: Data(try result.json())) as? [String: Any]
        #expect(json?["perLabelMeanF1"] != nil && json?["capped"] != nil)
        #expect(
            String(decoding: try result.html(registry: try Builtins.makeRegistry()), as: UTF8.self).contains("<svg"))
    }

    @Test func shuffledLabelsGainNothingBeyondChance() throws {
        let (data, labels) = simulation.dataset(perType: 60, seed: 2)
        var shuffled = labels
        var rng = SeededGenerator(seed: 9)
        shuffled.shuffle(using: &rng)
        let r = try AugmentationUtility.run(request(data, shuffled), registry: try Builtins.makeRegistry()).report
        // No labels to learn: every training set stays at chance (three labels: about 1/3), and no
        // augmentation beats the classifier that sees every training cell.
        let chance = 1.0 / 3
        #expect(r.ceilingMacroF1.mean < chance + 0.1)
        for arm in UtilityComparison.Arm.allCases {
            #expect(r.perLabelMeanMacroF1![arm.rawValue]!.mean < chance + 0.1, "\(arm)")
            #expect(mean(r, arm.rawValue) < r.perLabelMeanCeilingF1!.mean + 0.1, "\(arm)")
        }
    }

    @Test func badRequestsAreRefusedByName() throws {
        let (data, labels) = simulation.dataset(perType: 10, seed: 2)
        let registry = try Builtins.makeRegistry()
        var unlabelled = request(data, labels)
        unlabelled.fit.counts = .matrix(data, labels: nil)
        #expect(throws: VAExprsError.self) { try AugmentationUtility.run(unlabelled, registry: registry) }
        do {
            _ = try AugmentationUtility.run(unlabelled, registry: registry)
        } catch let error as VAExprsError {
            #expect(error.message.contains("needs each cell's label"), "\(error.message)")
        }
        for change in [
            { (r: inout UtilityRequest) in r.kept = 0 }, { $0.heldOutFraction = 1 }, { $0.repeats = 0 },
            {
                $0.designs = []
            }
        ] {
            var bad = request(data, labels)
            change(&bad)
            #expect(throws: VAExprsError.self) { try AugmentationUtility.run(bad, registry: registry) }
        }
        // A label with too few training cells is left out of the per-label design, and said so.
        var small = request(data, labels)
        small.kept = 5
        small.repeats = 1
        let r = try AugmentationUtility.run(small, learn: copying)
        #expect(r.report.perLabel?.isEmpty == true && r.report.skipped.count == 3)
        #expect(r.notes.contains { $0.description.contains("nothing to reduce") })
    }
}

extension ExpressionMatrix {
    /// The given cells (repeats allowed), in order.
    func selectingCellsForTests(_ rows: [Int]) -> ExpressionMatrix {
        let m = cells.dense()
        return ExpressionMatrix(
            cellIDs: rows.map { cellIDs[$0] }, geneNames: geneNames, values: m.gatherRows(rows))
    }
}
