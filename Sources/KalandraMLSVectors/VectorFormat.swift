/// The test-vector formats of the MLS working group's interop repository (`test-vectors.md`), each recognised by the
/// keys of a file's first entry.
public enum VectorFormat: String, CaseIterable, Sendable {
    case treeMath = "tree-math"
    case cryptoBasics = "crypto-basics"
    case deserialization
    case secretTree = "secret-tree"
    case keySchedule = "key-schedule"
    case pskSecret = "psk_secret"
    case messages
    case transcriptHashes = "transcript-hashes"
    case messageProtection = "message-protection"
    case welcome
    case treeOperations = "tree-operations"
    case treeValidation = "tree-validation"
    case treeKEM = "treekem"
    /// The passive-client scenarios (`passive-client-*.json`): join by Welcome, then follow the group's commits.
    case passiveClient = "passive-client"

    /// Keys that an entry of this format must have. No format's set is a subset of another's for the entries the
    /// working group publishes, so at most one format matches a real file.
    public var requiredKeys: Set<String> {
        switch self {
        case .treeMath: ["n_leaves", "n_nodes", "root", "left", "right", "parent", "sibling"]
        case .cryptoBasics:
            [
                "cipher_suite", "ref_hash", "expand_with_label", "derive_secret", "derive_tree_secret",
                "sign_with_label", "encrypt_with_label",
            ]
        case .deserialization: ["vlbytes_header", "length"]
        case .secretTree: ["cipher_suite", "sender_data", "encryption_secret", "leaves"]
        case .keySchedule: ["cipher_suite", "group_id", "initial_init_secret", "epochs"]
        case .pskSecret: ["cipher_suite", "psks", "psk_secret"]
        case .messages: Set(MessagesVectors.fields.map(\.name))
        case .transcriptHashes:
            [
                "cipher_suite", "confirmation_key", "authenticated_content", "interim_transcript_hash_before",
                "confirmed_transcript_hash_after", "interim_transcript_hash_after",
            ]
        case .messageProtection:
            [
                "cipher_suite", "group_id", "epoch", "tree_hash", "confirmed_transcript_hash", "signature_priv",
                "signature_pub", "encryption_secret", "sender_data_secret", "membership_key", "proposal",
                "proposal_pub", "proposal_priv", "commit", "commit_pub", "commit_priv", "application",
                "application_priv",
            ]
        case .welcome: ["cipher_suite", "init_priv", "signer_pub", "key_package", "welcome"]
        case .treeOperations:
            [
                "cipher_suite", "tree_before", "proposal", "proposal_sender", "tree_hash_before", "tree_after",
                "tree_hash_after",
            ]
        case .treeValidation: ["cipher_suite", "tree", "group_id", "resolutions", "tree_hashes"]
        case .treeKEM:
            [
                "cipher_suite", "group_id", "epoch", "confirmed_transcript_hash", "ratchet_tree", "leaves_private",
                "update_paths",
            ]
        case .passiveClient:
            [
                "cipher_suite", "key_package", "signature_priv", "encryption_priv", "init_priv", "welcome",
                "initial_epoch_authenticator", "epochs",
            ]
        }
    }

    /// What one item of `VectorReport.itemCount` is for this format: the unit checked inside an entry.
    public var itemName: String {
        switch self {
        case .treeMath: "nodes"
        case .cryptoBasics: "functions"
        case .deserialization: "headers"
        case .secretTree: "(leaf, generation) pairs"
        case .keySchedule: "epochs"
        case .pskSecret: "PSK secrets"
        case .messages: "structs"
        case .transcriptHashes: "commits"
        case .messageProtection: "messages"
        case .welcome: "welcomes"
        case .treeOperations: "proposals"
        case .treeValidation: "nodes"
        case .treeKEM: "(path, receiver) pairs"
        case .passiveClient: "epochs"
        }
    }

}
