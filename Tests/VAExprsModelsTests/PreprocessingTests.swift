import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

@Suite struct PreprocessingTests {
    let data = ExpressionMatrix(
        cellIDs: ["a", "b", "c"], geneNames: ["g1", "g2", "const"],
        values: Matrix(rows: 3, columns: 3, storage: [1, 3, 5, 2, 0, 5, 3, 1, 5]))

    @Test func lognormMatchesScater() throws {
        // Library sizes 9, 7, 9 → mean 25/3; size factors 27/25, 21/25, 27/25.
        let (prep, _) = try Preprocessing.fit(data, normalization: .lognorm, target: .scaled, source: "t")
        #expect(abs(prep.meanLibrarySize - 25.0 / 3) < 1e-9)
        #expect(abs(prep.trainingSizeFactors[1] - 21.0 / 25) < 1e-6)
        // gene g1, cell a: log2(1 / (27/25) + 1)
        #expect(abs(prep.geneMinimum[0] - Float(log2(1.0 / (27.0 / 25) + 1))) < 1e-6)
    }

    @Test func minMaxUsesTrainingStatisticsAndKeepsConstantGenes() throws {
        let (prep, prepared) = try Preprocessing.fit(data, normalization: .none, target: .scaled, source: "t")
        let scaled = prepared.input.dense()
        #expect(prepared.separateTarget == nil)
        #expect(scaled.storage == [0, 1, 0, 0.5, 0, 0, 1, 1.0 / 3, 0])
        #expect(scaled.storage.allSatisfy { $0.isFinite })
        let back = prep.invert(scaled, sizeFactors: nil)
        #expect(zip(back.storage, data.dense().storage).allSatisfy { abs($0 - $1) < 1e-6 })
        // Other cells are scaled with the training min/max, and the constant comes back exactly.
        let other = ExpressionMatrix(
            cellIDs: ["x"], geneNames: data.geneNames, values: Matrix(rows: 1, columns: 3, storage: [2, 2, 7]))
        #expect(try prep.transform(other, source: "v").input.dense().storage == [0.5, 2.0 / 3, 0])
        #expect(prep.invert(Matrix(rows: 1, columns: 3, storage: [0.3, 0.3, 0.9]), sizeFactors: nil)[0, 2] == 5)
        // Values beyond the training range are clamped to it on the way back.
        #expect(
            prep.invert(Matrix(rows: 1, columns: 3, storage: [-0.5, 1.5, 0]), sizeFactors: nil).storage == [1, 3, 5])
    }

    @Test func lognormRejectsNegativeAndEmptyCells() {
        let negative = ExpressionMatrix(
            cellIDs: ["a"], geneNames: ["g"], values: Matrix(rows: 1, columns: 1, storage: [-1]))
        let empty = ExpressionMatrix(
            cellIDs: ["a", "zero"], geneNames: ["g"], values: Matrix(rows: 2, columns: 1, storage: [1, 0]))
        for (m, word) in [(negative, "negative"), (empty, "'zero'")] {
            do {
                _ = try Preprocessing.fit(m, normalization: .lognorm, target: .scaled, source: "t")
                Issue.record("expected an error")
            } catch let e as VAExprsError {
                #expect(e.code == .badData && e.message.contains(word), "\(e)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func countModelsReadRawCountsAndDepthNormalisedInput() throws {
        let (prep, prepared) = try Preprocessing.fit(data, normalization: .none, target: .counts, source: "t")
        #expect(prep.modelsCounts && prep.trainingLibrarySizes == [9, 7, 9])
        #expect(prepared.target.dense() == data.dense())
        #expect(prepared.context.librarySize == [9, 7, 9])
        // Cell b, gene g2 (0 counts) → 0; cell a, gene g1: log1p(1 / 9 · 10⁴).
        #expect(prepared.input.dense()[1, 1] == 0)
        #expect(abs(prepared.input.dense()[0, 0] - log1pf(10_000 / 9)) < 1e-4)
        // Validation cells get their own library sizes.
        let other = ExpressionMatrix(
            cellIDs: ["x"], geneNames: data.geneNames, values: Matrix(rows: 1, columns: 3, storage: [2, 2, 6]))
        #expect(try prep.transform(other, source: "v").context.librarySize == [10])
    }

    @Test func countModelsRejectNonCountsAndEmptyCells() {
        let cases: [([Float], [String])] = [
            ([1.5, 2, 0, 1], ["cell 'a'", "gene 'g1'", "1.5", "censored_gaussian"]),
            ([1, -2, 0, 1], ["cell 'a'", "gene 'g2'", "-2.0"]),
            ([1, 2, 0, 0], ["cell 'b'", "no counts"])
        ]
        for (values, words) in cases {
            let m = ExpressionMatrix(
                cellIDs: ["a", "b"], geneNames: ["g1", "g2"], values: Matrix(rows: 2, columns: 2, storage: values))
            do {
                _ = try Preprocessing.fit(m, normalization: .none, target: .counts, source: "t")
                Issue.record("expected an error for \(values)")
            } catch let e as VAExprsError {
                #expect(e.code == .badData && words.allSatisfy(e.message.contains), "\(e.message)")
            } catch { Issue.record("\(error)") }
        }
    }
}
