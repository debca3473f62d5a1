import VAExprsPreprocessing

/// How `fit` prepared the data, recorded in the model and shown by `inspect`.
public struct FitSetup: Codable, Sendable, Equatable {
    /// The likelihood and normalisation and why they were chosen (by the data's values, a
    /// preset, or the user).
    public var choice: String
    /// The genes kept for training (nil: all).
    public var geneSelection: GeneSelection?
    /// What the fit did after training, one line each (e.g. re-estimated dispersions).
    public var notes: [String]
    /// How many processes trained the model together (MPI ranks); nil: one (older files too).
    public var trainingProcesses: Int?

    /// A setup record.
    package init(
        choice: String, geneSelection: GeneSelection? = nil, notes: [String] = [], trainingProcesses: Int? = nil
    ) {
        self.choice = choice
        self.geneSelection = geneSelection
        self.notes = notes
        self.trainingProcesses = trainingProcesses
    }
}
