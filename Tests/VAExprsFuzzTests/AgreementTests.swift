import Foundation
import Testing
import VAExprs
import VAExprsFuzzTargets

/// Issue 27, class 2: processes of a data-parallel fit (threads of an `InProcessGroup`, which
/// records any collective of unequal sizes) agree on a fingerprint of the fit before any
/// collective. Started alike they train as one; started with different settings or data, every
/// one stops with the same error naming what differs, and no collective ever sees unequal sizes.
@Suite struct AgreementTests {
    static let registry = try! Builtins.makeRegistry()

    static func data(genes: Int = 6) -> ExpressionMatrix {
        var values = Matrix(rows: 24, columns: genes)
        for i in values.storage.indices { values.storage[i] = Float((i * 7) % 5) }
        return ExpressionMatrix(
            cellIDs: (0..<24).map { "c\($0)" }, geneNames: (0..<genes).map { "g\($0)" }, values: values)
    }

    /// Fits on every member with the settings `configure` gives each rank; what each threw.
    static func fitTogether(_ size: Int, _ configure: @escaping @Sendable (Int, inout FitRequest) -> Void) -> (
        errors: [(any Error)?], unequal: Bool
    ) {
        let members = InProcessGroup.members(size)
        let errors = InProcessGroup.run(members) { member in
            let layer = ComponentSpec(name: "dense", positional: ["4", "relu"])
            var training = TrainingOptions(epochs: 2, batchSize: 8, seed: 3)
            training.processGroup = member
            var request = FitRequest(cells: data(), training: training)
            request.choices.wholeSpec = (
                ModelSpec(
                    encoder: [layer], decoder: [layer], latentDimension: 2,
                    likelihood: ComponentSpec(name: "gaussian")), "a test"
            )
            request.threads = 1
            configure(member.rank, &request)
            _ = try Fit.run(request, registry: registry)
        }
        return (errors, members[0].sawUnequalSizes)
    }

    @Test func processesStartedAlikeTrainTogether() {
        let (errors, unequal) = Self.fitTogether(2) { _, _ in }
        #expect(errors.allSatisfy { $0 == nil }, "\(errors)")
        #expect(!unequal)
    }

    @Test(arguments: ["epochs", "seed", "batchSize", "genes", "latentDimension", "cells"])
    func processesStartedDifferentlyAllStopAlike(_ what: String) throws {
        let (errors, unequal) = Self.fitTogether(3) { rank, request in
            guard rank == 2 else { return }
            switch what {
            case "epochs": request.training.epochs = 3
            case "seed": request.training.seed = 4
            case "batchSize": request.training.batchSize = 6
            case "genes": request.counts = .matrix(Self.data(genes: 5))
            case "latentDimension": request.choices.wholeSpec!.spec.latentDimension = 3
            default: request.counts = .matrix(Self.data().selectingCells(Array(0..<20)))
            }
        }
        #expect(!unequal, "a collective of unequal sizes")
        let messages = errors.map { ($0 as? VAExprsError)?.message }
        #expect(messages.allSatisfy { $0 != nil && $0 == messages[0] }, "\(messages)")
        #expect(errors.allSatisfy { ($0 as? VAExprsError)?.raisedOnEveryProcess == true })
        let named = what == "genes" || what == "cells" ? "counts" : what
        #expect(
            messages[0]?.contains(named) == true && messages[0]?.contains("rank 2 differs") == true,
            "\(messages[0] ?? "")")
    }

    @Test func fingerprintsOfDifferentListsDiffer() {
        var a = FitFingerprint(), b = FitFingerprint()
        a.add("counts", "ids", strings: ["ab", "c"])
        b.add("counts", "ids", strings: ["a", "bc"])
        #expect(a != b)
    }
}
