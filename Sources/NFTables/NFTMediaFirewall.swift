import NFTRules

/// palisade-media's firewall: the owned table plus the pinhole state the kernel holds.
/// The state advances only when the kernel has accepted a batch. After a `.rejected` error the
/// kernel rolled the whole batch back and the state still matches it. After `.send` or `.receive`
/// errors the outcome is unknown: call `setUp()`, which rebuilds the table from the recorded state
/// in one transaction.
public final class NFTMediaFirewall {
    public let rules: NFTRules
    public private(set) var state = NFTPinholeState()
    private let connection: NFTablesConnection

    public init(rules: NFTRules, connection: NFTablesConnection) {
        self.rules = rules
        self.connection = connection
    }

    /// Creates or replaces table `inet palisade`, keeping the pinholes currently recorded.
    public func setUp() throws(NFTError) {
        try connection.apply(rules.setupBatch(restoring: state))
    }

    /// Applies one control command's changes as one transaction.
    public func apply(_ changes: [NFTChange]) throws(NFTError) {
        let plan = state.plan(changes)
        try connection.apply(plan.batch)
        state = plan.state
    }
}
