import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

@Suite struct PreprocessingTests {
    let data = ExpressionMatrix(cellIDs: ["a", "b", "c"], geneNames: ["g1", "g2", "const"],
                                values: Matrix(rows: 3, columns: 3, storage: [1, 3, 5, 2, 0, 5, 3, 1, 5]))

    @Test func lognormMatchesScater() throws {
        // Library sizes 9, 7, 9 → mean 25/3; size factors 27/25, 21/25, 27/25.
        let (prep, _) = try Preprocessing.fit(data, normalization: .lognorm, source: "t")
        #expect(abs(prep.meanLibrarySize - 25.0 / 3) < 1e-9)
        #expect(abs(prep.trainingSizeFactors[1] - 21.0 / 25) < 1e-6)
        // gene g1, cell a: log2(1 / (27/25) + 1)
        #expect(abs(prep.geneMinimum[0] - Float(log2(1.0 / (27.0 / 25) + 1))) < 1e-6)
    }

    @Test func minMaxUsesTrainingStatisticsAndKeepsConstantGenes() throws {
        let (prep, scaled) = try Preprocessing.fit(data, normalization: .none, source: "t")
        #expect(scaled.storage == [0, 1, 0, 0.5, 0, 0, 1, 1.0 / 3, 0])
        #expect(scaled.storage.allSatisfy { $0.isFinite })
        let back = prep.invert(scaled, sizeFactors: nil)
        #expect(zip(back.storage, data.values.storage).allSatisfy { abs($0 - $1) < 1e-6 })
        // Other cells are scaled with the training min/max, and the constant comes back exactly.
        let other = ExpressionMatrix(cellIDs: ["x"], geneNames: data.geneNames, values: Matrix(rows: 1, columns: 3, storage: [2, 2, 7]))
        #expect(try prep.transform(other, source: "v").storage == [0.5, 2.0 / 3, 0])
        #expect(prep.invert(Matrix(rows: 1, columns: 3, storage: [0.3, 0.3, 0.9]), sizeFactors: nil)[0, 2] == 5)
        // Values beyond the training range are clamped to it on the way back.
        #expect(prep.invert(Matrix(rows: 1, columns: 3, storage: [-0.5, 1.5, 0]), sizeFactors: nil).storage == [1, 3, 5])
    }

    @Test func lognormRejectsNegativeAndEmptyCells() {
        let negative = ExpressionMatrix(cellIDs: ["a"], geneNames: ["g"], values: Matrix(rows: 1, columns: 1, storage: [-1]))
        let empty = ExpressionMatrix(cellIDs: ["a", "zero"], geneNames: ["g"], values: Matrix(rows: 2, columns: 1, storage: [1, 0]))
        for (m, word) in [(negative, "negative"), (empty, "'zero'")] {
            do {
                _ = try Preprocessing.fit(m, normalization: .lognorm, source: "t")
                Issue.record("expected an error")
            } catch let e as VAExprsError {
                #expect(e.code == .badData && e.message.contains(word), "\(e)")
            } catch { Issue.record("\(error)") }
        }
    }
}
