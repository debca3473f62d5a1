import Testing
import VAExprsCore
import VAExprsNN

/// Optimizer steps against numbers computed by hand from Keras' update rules.
@Suite struct OptimizerTests {
    func run(_ optimizer: any Optimizer) -> [Float] {
        let p = Parameter(path: "w", shape: [2], value: [1, -2])
        for g: [Float] in [[0.5, -0.1], [0.2, 0.3]] {
            p.gradient = g
            optimizer.step([p])
        }
        return p.value
    }

    @Test func adamMatchesHandComputedSteps() {
        // Step 1: m = 0.1 g, v = 0.001 g², α = 0.001·√0.001/0.1; the first step moves each
        // weight by ≈ lr·sign(g): w = [0.999, −1.999].
        // Step 2: m = 0.9 m + 0.1 g = [0.065, 0.021], v = 0.999 v + 0.001 g² = [0.00028975, 0.00009999],
        // α = 0.001·√(1−0.999²)/(1−0.9²) = 2.3531e-4 → w = [0.99810144, −1.99949422].
        let adam = Adam(spec: ComponentSpec(name: "adam"))
        let p = Parameter(path: "w", shape: [2], value: [1, -2])
        p.gradient = [0.5, -0.1]
        adam.step([p])
        #expect(abs(p.value[0] - 0.999) < 1e-6 && abs(p.value[1] + 1.999) < 1e-6)
        p.gradient = [0.2, 0.3]
        adam.step([p])
        #expect(abs(p.value[0] - 0.998_101_44) < 2e-6)
        #expect(abs(p.value[1] + 1.999_494_22) < 2e-6)
    }

    @Test func sgdWithMomentum() {
        // v = −0.1 g₁ = [−0.05, 0.01]; v = 0.9 v − 0.1 g₂ = [−0.065, −0.021]; w = [0.885, −2.011].
        let w = run(SGD(spec: ComponentSpec(name: "sgd"), learningRate: 0.1, momentum: 0.9))
        #expect(abs(w[0] - 0.885) < 1e-6 && abs(w[1] + 2.011) < 1e-6)
    }

    @Test func rmsprop() {
        let w = run(RMSprop(spec: ComponentSpec(name: "rmsprop")))
        #expect(abs(w[0] - 0.995_609_13) < 2e-6 && abs(w[1] + 1.999_852_84) < 2e-6)
    }

    @Test func optimizerStateIsKeyedByPath() {
        // Two parameters with the same values but different paths evolve independently.
        let adam = Adam(spec: ComponentSpec(name: "adam"))
        let a = Parameter(path: "a", shape: [1], value: [0]), b = Parameter(path: "b", shape: [1], value: [0])
        a.gradient = [1]
        b.gradient = [-1]
        adam.step([a, b])
        #expect(a.value[0] < 0 && b.value[0] > 0)
    }
}
