import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 32: training with bfloat16 products (`--precision bf16`) learns what float32 learns,
/// repeats bit for bit with a seed whatever the thread count, and leaves float32 weights that
/// encode and generate in float32.
@Suite(.serialized) struct BF16TrainingTests {
    @Test(
        .enabled(if: TestPaths.hasSharedData, "../shared/data is not present"),
        .enabled(if: ProductPrecision.bf16.isSupported, "this CPU has no AVX512_BF16"))
    func bf16TrainingLearnsWhatFloat32Learns() throws {
        let (data, labels) = try Fixtures.seedsim()
        let float32 = try Fixtures.fit(data, labels: labels, epochs: 40, threads: 2)
        let bf16 = try Fixtures.fit(data, labels: labels, epochs: 40, threads: 2, precision: .bf16)
        let again = try Fixtures.fit(data, labels: labels, epochs: 40, threads: 1, precision: .bf16)
        let last = try #require(float32.history.epochs.last?.loss),
            lastBF16 = try #require(bf16.history.epochs.last?.loss)
        #expect(abs(lastBF16 - last) < 0.02 * abs(last), "final loss bf16 \(lastBF16) vs float32 \(last)")
        // Not float32 under another name, and repeatable on any thread count.
        #expect(bf16.history.epochs.map(\.loss) != float32.history.epochs.map(\.loss))
        #expect(bf16.history.epochs.map(\.loss) == again.history.epochs.map(\.loss))
        #expect(bf16.trainingLatentMeans.storage == again.trainingLatentMeans.storage)
        // Per-group gene means of generated cells follow the real ones, as in float32.
        let cells = try generateExpression(
            bf16, options: GenerationOptions(count: 300, seed: 3), registry: Fixtures.registry)
        for group in ["group1", "group2", "group3"] {
            let real = Fixtures.geneMeans(data.dense(), rows: labels.indices.filter { labels[$0][0] == group })
            let gen = Fixtures.geneMeans(
                cells.data.dense(), rows: cells.labels!.indices.filter { cells.labels![$0][0] == group })
            #expect(Fixtures.pearson(real, gen) > 0.95, "\(group)")
        }
        // Training put the layers back to float32 for encoding and generation.
        #expect(bf16.network.productPrecision == .float32)
    }
}
