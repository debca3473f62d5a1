import Foundation

/// Everything `fitVAEStreamed` needs: a count matrix on disk, read a block of cells at a time,
/// and what `FitRequest` holds besides the data.
package struct StreamedFitRequest {
    /// The cells (`.h5ad` with CSR `X`, or a Cell Ranger `.h5`).
    package var file: SparseRowFile
    /// Each file row's labels (one per column of `labelColumns`); nil for a plain VAE.
    package var labels: [[String]]?
    /// The label columns used as conditions.
    package var labelColumns: [String]
    /// Fraction of cells held out for validation, in [0, 1) (chosen as `fitVAE` chooses them).
    package var validationSplit: Double?
    /// The architecture; its likelihood must model counts.
    package var spec: ModelSpec
    /// How to train.
    package var training: TrainingOptions
    /// Threads for numeric work; nil uses `defaultThreadCount`.
    package var threads: Int?
    /// Why the likelihood was chosen, recorded in the model.
    package var setupChoice: String?
    /// Keep this many highly variable genes of the training cells (nil: every gene), ranked
    /// in passes over the file exactly as `fitVAE` ranks them in memory.
    package var topGenes: Int?
    /// How genes are ranked (default `seurat_v3`, as for counts in memory).
    package var geneSelectionFlavor: GeneSelection.Flavor?
    /// Consecutive cells read at once.
    package var chunkCells = 1024
    /// Bytes of compressed cells read and shuffled together (the buffer; 128 MiB by default;
    /// the next buffer is read while one trains, so two are in memory).
    package var bufferBytes = 128 << 20

    /// A request.
    package init(file: SparseRowFile, labels: [[String]]? = nil, labelColumns: [String] = ["label"], validationSplit: Double? = nil,
                spec: ModelSpec, training: TrainingOptions, threads: Int? = nil, setupChoice: String? = nil) {
        self.file = file
        self.labels = labels
        self.labelColumns = labelColumns
        self.validationSplit = validationSplit
        self.spec = spec
        self.training = training
        self.threads = threads
        self.setupChoice = setupChoice
    }

    /// Cells per buffer for this file (at least one chunk).
    package var bufferCells: Int {
        let bytesPerCell = max(1, file.storedCount * 8 / max(1, file.rowCount))
        return max(chunkCells, bufferBytes / bytesPerCell / chunkCells * chunkCells)
    }
}

/// `fit_vae` with `use_generator`, done right: trains a count (C)VAE on cells streamed from
/// disk, so memory is one buffer of cells (`StreamedFitRequest.bufferBytes`) plus a few
/// numbers per cell (library size, label group, latent mean), whatever the number of cells.
///
/// One in-order pass validates the counts and takes each cell's library size and an even
/// sample of cells (for the likelihood's initial values and its refit after training);
/// training passes read chunks in a seeded shuffled order (`StreamedCounts`); a last pass
/// takes the training cells' latent means. Validation cells are a seeded random fraction of
/// the cells, chosen exactly as `fitVAE` chooses them, and are streamed too. The same seed
/// gives the same model, bit for bit.
package func fitVAEStreamed(_ request: StreamedFitRequest, registry: Registry, progress: TrainingProgress? = nil) throws -> TrainedModel {
    try request.spec.validate()
    try checkThreadCount(request.threads)
    let threads = request.threads ?? defaultThreadCount
    let threadsBefore = BLAS.setThreads(threads)
    defer { BLAS.setThreads(threadsBefore) }
    let file = request.file
    let n = file.rowCount
    guard n > 0 else { throw VAExprsError.badData("\(file.path): the matrix has no cells") }
    guard file.columnCount > 0 else { throw VAExprsError.badData("\(file.path): the matrix has no genes") }
    let likelihood = try registry.likelihoodFacts(request.spec.likelihood)
    guard likelihood.data == .counts else {
        throw VAExprsError.usage("training streamed from disk reads raw counts for a count likelihood (nb, zinb, poisson); \(request.spec.likelihood.name) models continuous values: name a count likelihood, or train in memory (without \(parameter: "stream"), with a larger \(parameter: "memoryLimit"))")
    }
    if let labels = request.labels, labels.count != n {
        throw VAExprsError.badData("\(file.path): \(n) cells but \(labels.count) labels")
    }
    guard request.chunkCells > 0 else { throw VAExprsError.usage("chunk size must be positive") }
    var rng = SeededGenerator(seed: request.training.seed)
    var splitRNG = rng.split()

    // Validation cells, chosen as fitVAE chooses them.
    let isTraining = try ValidationSplit.trainingRows(n, fraction: request.validationSplit, rng: &splitRNG)
    let trainRows = (0..<n).filter { isTraining[$0] }
    let hasValidation = trainRows.count < n

    // Conditions: groups of label combinations, and each group's one-hot row.
    let trainingLabels = request.labels.map { l in trainRows.map { l[$0] } }
    let encoding = trainingLabels.map { ConditionEncoding(columns: request.labelColumns, labels: $0) }
    var groupOfRow: [Int32]? = nil, oneHotOfGroup: Matrix? = nil, groupCount = 0
    if let encoding, let labels = request.labels {
        let keys = encoding.groups(of: trainingLabels!).keys
        groupCount = keys.count
        groupOfRow = encoding.groupIndices(of: labels, keys: keys)
        if hasValidation {
            // A validation cell's label that no training cell has cannot be encoded.
            var seen = Set<String>(), distinct: [[String]] = []
            for r in 0..<n where !isTraining[r] && seen.insert(encoding.key(labels[r])).inserted { distinct.append(labels[r]) }
            _ = try encoding.encode(distinct, source: "\(parameter: "labels") (validation cells)")
        }
        var representative = [[String]?](repeating: nil, count: keys.count)
        for r in trainRows where representative[Int(groupOfRow![r])] == nil { representative[Int(groupOfRow![r])] = labels[r] }
        oneHotOfGroup = try encoding.encode(representative.map { $0! }, source: "\(parameter: "labels")")
    }

    let chunks = stride(from: 0, to: n, by: request.chunkCells).map { $0..<min(n, $0 + request.chunkCells) }
    // Gene selection on the training cells, in passes over the file in row order (moments,
    // then Seurat v3's clipped moments): the genes fitVAE selects from the same cells in memory.
    var selection: GeneSelection? = nil
    if let top = request.topGenes {
        selection = try GeneSelection.select(rows: trainRows.count, columns: file.columnCount, count: top,
                                             flavor: request.geneSelectionFlavor ?? .seuratV3) { visit in
            for chunk in chunks {
                let block = try file.rows(chunk)
                try visit(.sparse(hasValidation ? block.gatherRows(chunk.filter { isTraining[$0] }.map { $0 - chunk.lowerBound }) : block))
            }
        }
    }
    let kept = selection?.selected
    let geneNames = kept.map { $0.map { file.geneNames[$0] } } ?? file.geneNames
    let readChunk: (Range<Int>) throws -> SparseMatrix = { rows in
        let block = try file.rows(rows)
        return kept.map { block.selectingColumns($0) } ?? block
    }
    let readRows: ([Int]) throws -> SparseMatrix = { rows in
        let block = try file.rows(at: rows)
        return kept.map { block.selectingColumns($0) } ?? block
    }

    // One pass in file order: counts checked, library sizes, the even sample.
    let outputWidth = likelihood.outputsPerFeature * geneNames.count
    let sampleLimit = max(1, likelihoodSampleEntries / max(outputWidth, 1))
    let samplePositions = trainRows.count > sampleLimit ? (0..<sampleLimit).map { $0 * trainRows.count / sampleLimit }
                                                        : Array(trainRows.indices)
    let sampleFileRows = samplePositions.map { trainRows[$0] }
    var libraries = [Float](repeating: 0, count: n)
    var sampleBlocks: [SparseMatrix] = []
    var nextSample = 0
    for chunk in chunks {
        let block = try readChunk(chunk)
        try block.forEachEntry { i, j, v in
            guard CountRange.contains(v) else {
                throw VAExprsError.badData("\(file.path): cell '\(file.cellIDs[chunk.lowerBound + i])', gene '\(geneNames[j])' is \(v), not a count (a whole number from 0 to 2³¹ − 1); the count likelihoods (nb, zinb, poisson) need raw counts: give the raw matrix, or train a continuous likelihood in memory")
            }
        }
        for (i, total) in block.rowSums().enumerated() {
            guard total > 0 else {
                throw VAExprsError.badData("\(file.path): cell '\(file.cellIDs[chunk.lowerBound + i])' has no counts in the model's genes (library size 0); remove it")
            }
            libraries[chunk.lowerBound + i] = Float(total)
        }
        var picked: [Int] = []
        while nextSample < sampleFileRows.count && sampleFileRows[nextSample] < chunk.upperBound {
            picked.append(sampleFileRows[nextSample] - chunk.lowerBound)
            nextSample += 1
        }
        if !picked.isEmpty { sampleBlocks.append(block.gatherRows(picked)) }
    }
    let sampleCounts = SparseMatrix.stacking(sampleBlocks).denseRows(0..<sampleFileRows.count)
    var sampleContext = CellContext(librarySize: sampleFileRows.map { libraries[$0] },
                                    group: groupOfRow.map { g in sampleFileRows.map { g[$0] } })

    var initRNG = rng.split()
    let network = try VAENetwork(spec: request.spec, featureCount: geneNames.count, conditionWidth: encoding?.width ?? 0,
                                 groups: groupCount, registry: registry, training: sampleCounts, context: sampleContext, rng: &initRNG)
    let bufferChunks = max(1, request.bufferCells / request.chunkCells)
    func source(_ members: [Bool]?, _ of: [Range<Int>]) -> StreamedCounts {
        StreamedCounts(chunks: of, members: members, bufferChunks: bufferChunks, likelihood: network.likelihood,
                       groupOfRow: groupOfRow, oneHotOfGroup: oneHotOfGroup, read: readChunk, readRows: readRows)
    }
    let training = source(hasValidation ? isTraining : nil, chunks.filter { c in c.contains { isTraining[$0] } })
    let validation = hasValidation ? source(isTraining.map { !$0 }, chunks.filter { c in c.contains { !isTraining[$0] } }) : nil
    var trainingOptions = request.training
    if (trainingOptions.processGroup?.size ?? 1) > 1 {  // what the processes compare (DataParallel.agree)
        trainingOptions.fingerprint.add("counts", "gene ids", strings: geneNames)
        trainingOptions.fingerprint.add("counts", "training cell ids", strings: trainRows.map { file.cellIDs[$0] })
        trainingOptions.fingerprint.add("labels", "labels", strings: trainingLabels?.map { $0.joined(separator: "\u{1F}") } ?? [])
        trainingOptions.fingerprint.add("normalization", "normalisation", "none")
        trainingOptions.fingerprint.add("stream", "training data", "streamed in chunks of \(request.chunkCells), buffers of \(bufferChunks)")
    }
    let history = try Trainer(options: trainingOptions, registry: registry)
        .train(network, source: training, validation: validation, rng: rng.split(), progress: progress)

    // The training cells' latent means, in order.
    var means = Matrix(rows: trainRows.count, columns: request.spec.latentDimension)
    var unused = SeededGenerator(seed: 0), inference = SeededGenerator(seed: 0)  // inference draws nothing
    var filled = 0
    try training.forEachBatch(batchSize: 1024, shuffle: false, rng: &unused) { batch in
        let mean = network.encode(batch.input, conditions: batch.conditions, phase: .inference, rng: &inference).mean
        means.storage.replaceSubrange((filled * means.columns)..<((filled + mean.rows) * means.columns), with: mean.storage)
        filled += mean.rows
    }

    sampleContext.constant = network.likelihood.constantTerms(target: sampleCounts)
    let sampleConditions = oneHotOfGroup.flatMap { table in sampleContext.group.map { table.gatherRows($0.map(Int.init)) } }
    let sampled = samplePositions.count == trainRows.count ? "" : " (on \(samplePositions.count) of \(trainRows.count) cells, spread evenly)"
    let refit = network.likelihood.refitAtLatentMeans(
        output: TrainedModel.decodedMeans(network, means: means.gatherRows(samplePositions), conditions: sampleConditions),
        target: sampleCounts, context: sampleContext).map { $0 + sampled }
    let streamed = "trained streamed from \(file.path): \(chunks.count) chunk(s) of ≤ \(request.chunkCells) cells, shuffled by chunk and within buffers of ≤ \(min(bufferChunks, chunks.count) * request.chunkCells) cells"
    let setup = FitSetup(choice: request.setupChoice ?? "given: likelihood \(request.spec.likelihood), normalisation none",
                         geneSelection: selection, notes: [streamed] + (refit.map { [$0] } ?? []),
                         trainingProcesses: request.training.processGroup.flatMap { $0.size > 1 ? $0.size : nil })
    return TrainedModel(network: network, geneNames: geneNames,
                        preprocessing: .counts(trainingLibrarySizes: trainRows.map { libraries[$0] }),
                        conditions: encoding, trainingCellIDs: trainRows.map { file.cellIDs[$0] }, trainingLatentMeans: means,
                        trainingLabels: trainingLabels, history: history, seed: request.training.seed, setup: setup)
}
