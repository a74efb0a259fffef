use std::cell::Cell;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

fn hash_from_hex(hex_digits: &str) -> Hash {
    hex::decode(hex_digits).unwrap().try_into().unwrap()
}

/// The leaf hashes of a test log of `n` leaves; `seed` varies their contents.
fn test_leaves(n: u64, seed: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(&[seed.to_be_bytes(), i.to_be_bytes()].concat()))
        .collect()
}

/// What a store serving proofs keeps: every perfect subtree hash, by level, saved from
/// [`MerkleFrontier::push_with`] as the leaves are appended. Counts the lookups.
struct NodeTable {
    levels: Vec<Vec<Hash>>,
    frontier: MerkleFrontier,
    lookups: usize,
}

impl NodeTable {
    fn new() -> Self {
        NodeTable {
            levels: Vec::new(),
            frontier: MerkleFrontier::new(),
            lookups: 0,
        }
    }

    fn build(leaves: &[Hash]) -> Self {
        let mut table = NodeTable::new();
        for leaf in leaves {
            table.push(*leaf);
        }
        table
    }

    fn push(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        self.frontier.push_with(leaf, |start, end, hash| {
            let level = (end - start).trailing_zeros() as usize;
            if levels.len() <= level {
                levels.resize(level + 1, Vec::new());
            }
            assert_eq!(start >> level, levels[level].len() as u64, "completed out of order");
            levels[level].push(*hash);
        });
    }

    fn lookup(&mut self, start: u64, end: u64) -> Result<Hash, MerkleError> {
        let len = end - start;
        assert!(
            len.is_power_of_two() && start.is_multiple_of(len),
            "asked for leaves {start}..{end}, which are not a perfect subtree"
        );
        self.lookups += 1;
        let level = len.trailing_zeros() as usize;
        Ok(self.levels[level][(start >> level) as usize])
    }
}

#[test]
fn hashes_match_known_values() {
    assert_eq!(
        empty_root(),
        hash_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(merkle_root(&[]), empty_root());
    assert_eq!(MerkleFrontier::new().root(), empty_root());
    assert_eq!(
        leaf_hash(b""),
        hash_from_hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    );
    assert_eq!(
        node_hash(&leaf_hash(b""), &leaf_hash(&[0x00])),
        hash_from_hex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
    );
}

/// The eight-leaf tree of the RFC 6962 reference test data, and its root at each size.
#[test]
fn reference_tree_roots_match_at_every_size() {
    let data: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
    let mut table = NodeTable::new();
    for (size, (leaf, root)) in (1..).zip(leaves.iter().zip(roots)) {
        table.push(*leaf);
        let root = hash_from_hex(root);
        assert_eq!(merkle_root(&leaves[..size as usize]), root, "list root at size {size}");
        assert_eq!(table.frontier.root(), root, "frontier root at size {size}");
        let from_table = merkle_root_with(size, |s, e| table.lookup(s, e)).unwrap();
        assert_eq!(from_table, root, "root from perfect subtrees at size {size}");
    }
}

#[test]
fn push_with_reports_every_perfect_subtree_once() {
    let leaves = test_leaves(45, 1);
    let mut frontier = MerkleFrontier::new();
    let mut reported = Vec::new();
    for leaf in &leaves {
        frontier.push_with(*leaf, |start, end, hash| reported.push((start, end, *hash)));
    }
    // Every perfect subtree inside 0..45: 45 + 22 + 11 + 5 + 2 + 1 = 2·45 - popcount(45).
    assert_eq!(reported.len(), 2 * 45 - 45u32.count_ones() as usize);
    let mut previous_end = 0;
    for (start, end, hash) in reported {
        let len = end - start;
        assert!(len.is_power_of_two() && start.is_multiple_of(len), "{start}..{end}");
        assert!(end >= previous_end, "reported in order of completion");
        previous_end = end;
        assert_eq!(
            hash,
            merkle_root(&leaves[start as usize..end as usize]),
            "{start}..{end}"
        );
    }
}

#[test]
fn a_frontier_is_persisted_and_resumed_from_its_parts() {
    let leaves = test_leaves(100, 3);
    let mut continuous = MerkleFrontier::new();
    for leaf in &leaves[..77] {
        continuous.push(*leaf);
    }
    let (size, subtrees) = (continuous.size(), continuous.subtrees().to_vec());
    let ranges: Vec<_> = MerkleFrontier::subtree_ranges(size).collect();
    assert_eq!(ranges, [(0, 64), (64, 72), (72, 76), (76, 77)]);
    for ((start, end), hash) in ranges.iter().zip(&subtrees) {
        assert_eq!(*hash, merkle_root(&leaves[*start as usize..*end as usize]));
    }
    let mut resumed = MerkleFrontier::from_subtrees(size, subtrees).unwrap();
    assert_eq!(resumed, continuous);
    for leaf in &leaves[77..] {
        continuous.push(*leaf);
        resumed.push(*leaf);
        assert_eq!(resumed.root(), continuous.root());
    }
    assert_eq!(resumed.root(), merkle_root(&leaves));

    assert_eq!(
        MerkleFrontier::from_subtrees(0, Vec::new()).unwrap(),
        MerkleFrontier::new()
    );
    assert_eq!(MerkleFrontier::subtree_ranges(0).count(), 0);
    let last = MerkleFrontier::subtree_ranges(u64::MAX).last();
    assert_eq!(last, Some((u64::MAX - 1, u64::MAX)));
    let error = MerkleFrontier::from_subtrees(77, vec![leaves[0]; 3]).unwrap_err();
    assert_eq!(
        error,
        MerkleError::FrontierSubtreeCount {
            size: 77,
            got: 3,
            want: 4
        }
    );
    assert_eq!(
        error.to_string(),
        "a frontier of size 77 holds one subtree hash per set bit of its size, so 4, but 3 were given"
    );
    assert!(MerkleFrontier::from_subtrees(0, vec![leaves[0]]).is_err());
}

/// Every proof in every tree of up to 32 leaves, from leaf hashes and from perfect subtrees.
#[test]
fn every_proof_in_small_trees_verifies() {
    let leaves = test_leaves(32, 11);
    let mut table = NodeTable::build(&leaves);
    for size in 1..=32u64 {
        let root = merkle_root(&leaves[..size as usize]);
        for index in 0..size {
            let proof = inclusion_proof(&leaves, index, size).unwrap();
            let from_table = inclusion_proof_with(index, size, |s, e| table.lookup(s, e));
            assert_eq!(from_table.unwrap(), proof, "inclusion {index} of {size}");
            verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
        }
        for old_size in 1..=size {
            let old_root = merkle_root(&leaves[..old_size as usize]);
            let proof = consistency_proof(&leaves, old_size, size).unwrap();
            let from_table = consistency_proof_with(old_size, size, |s, e| table.lookup(s, e)).unwrap();
            assert_eq!(from_table, proof, "consistency {old_size} to {size}");
            verify_consistency(old_size, size, &old_root, &root, &proof).unwrap();
        }
    }
}

#[test]
fn known_proof_shapes() {
    let leaves = test_leaves(8, 0);
    let node = |start: usize, end: usize| merkle_root(&leaves[start..end]);
    // Leaf 5 of 7: sibling leaf 4, then the ragged leaf 6, then the left half.
    assert_eq!(
        inclusion_proof(&leaves, 5, 7).unwrap(),
        [node(4, 5), node(6, 7), node(0, 4)]
    );
    // Leaf 6 of 7: only left siblings.
    assert_eq!(inclusion_proof(&leaves, 6, 7).unwrap(), [node(4, 6), node(0, 4)]);
    assert_eq!(inclusion_proof(&leaves, 0, 1).unwrap(), Vec::<Hash>::new());
    // The examples of RFC 9162 §2.1.5: proofs from sizes 3, 4 and 6 to a seven-leaf tree.
    assert_eq!(
        consistency_proof(&leaves, 3, 7).unwrap(),
        [node(2, 3), node(3, 4), node(0, 2), node(4, 7)]
    );
    assert_eq!(consistency_proof(&leaves, 4, 7).unwrap(), [node(4, 7)]);
    assert_eq!(
        consistency_proof(&leaves, 6, 7).unwrap(),
        [node(4, 6), node(6, 7), node(0, 4)]
    );
}

#[test]
fn inclusion_edge_cases_are_rejected() {
    let leaves = test_leaves(8, 5);
    let root = merkle_root(&leaves);
    let proof = inclusion_proof(&leaves, 5, 8).unwrap();
    let verify = |index, size, proof: &[Hash]| verify_inclusion(&leaves[index as usize % 8], index, size, proof, &root);
    assert_eq!(verify(5, 8, &proof), Ok(()));

    assert_eq!(
        verify(8, 8, &proof),
        Err(MerkleError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert_eq!(
        verify(0, 0, &[]),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    let error = verify(u64::MAX, 8, &proof).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("leaf index {} is out of range for a tree of size 8", u64::MAX)
    );

    let short = verify(5, 8, &proof[..2]).unwrap_err();
    assert_eq!(
        short,
        MerkleError::InclusionProofLength {
            index: 5,
            size: 8,
            got: 2,
            want: 3
        }
    );
    assert_eq!(
        short.to_string(),
        "inclusion proof has 2 hashes but a tree of size 8 needs 3 for index 5"
    );
    let mut long = proof.clone();
    long.push(root);
    assert!(matches!(
        verify(5, 8, &long),
        Err(MerkleError::InclusionProofLength { got: 4, .. })
    ));
    let mut preceded = vec![root];
    preceded.extend_from_slice(&proof);
    assert!(matches!(
        verify(5, 8, &preceded),
        Err(MerkleError::InclusionProofLength { .. })
    ));
    // Leaf 5 of 7 needs three hashes too, but not these: they lead to the root of 8.
    let root_of_7 = merkle_root(&leaves[..7]);
    let other_size = verify_inclusion(&leaves[5], 5, 7, &proof, &root_of_7);
    assert!(matches!(other_size, Err(MerkleError::RootMismatch { size: 7, .. })));
    assert!(matches!(
        verify(5, 6, &proof),
        Err(MerkleError::InclusionProofLength { want: 2, .. })
    ));

    let wrong_leaf = verify_inclusion(&leaves[4], 5, 8, &proof, &root).unwrap_err();
    let MerkleError::RootMismatch { computed, .. } = wrong_leaf else {
        panic!("expected a root mismatch, got {wrong_leaf}");
    };
    assert_eq!(
        wrong_leaf.to_string(),
        format!(
            "computed root {} does not match expected root {} (leaf 5 of a tree of size 8)",
            hex::encode(computed),
            hex::encode(root)
        )
    );

    // A tree of one leaf: its root is the leaf hash and the proof is empty.
    assert_eq!(verify_inclusion(&leaves[0], 0, 1, &[], &leaves[0]), Ok(()));
    assert!(verify_inclusion(&leaves[0], 0, 1, &[], &leaves[1]).is_err());
    assert!(verify_inclusion(&leaves[0], 0, 1, &[leaves[0]], &leaves[0]).is_err());
}

#[test]
fn consistency_edge_cases_are_rejected() {
    let leaves = test_leaves(8, 9);
    let roots: Vec<Hash> = (0..=8).map(|n| merkle_root(&leaves[..n])).collect();
    let verify = |old: u64, new: u64, proof: &[Hash]| {
        verify_consistency(old, new, &roots[old as usize], &roots[new as usize], proof)
    };
    let proof = consistency_proof(&leaves, 3, 8).unwrap();
    assert_eq!(verify(3, 8, &proof), Ok(()));

    // Equal sizes: the empty proof and equal roots.
    for size in 0..=8 {
        assert_eq!(verify(size, size, &[]), Ok(()), "size {size}");
        assert!(matches!(
            verify(size, size, &[roots[size as usize]]),
            Err(MerkleError::ConsistencyProofLength { got: 1, want: 0, .. })
        ));
    }
    let differ = verify_consistency(4, 4, &roots[4], &roots[5], &[]).unwrap_err();
    assert_eq!(
        differ,
        MerkleError::RootsDiffer {
            size: 4,
            old_root: roots[4],
            new_root: roots[5]
        }
    );
    // The empty tree has one root only.
    let not_empty = verify_consistency(0, 0, &roots[1], &roots[1], &[]).unwrap_err();
    assert_eq!(not_empty, MerkleError::NotEmptyRoot { given: roots[1] });
    assert_eq!(
        not_empty.to_string(),
        format!(
            "the root of the empty tree is e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 but {} was given",
            hex::encode(roots[1])
        )
    );

    // From the empty tree nothing is proved, whatever the proof.
    assert_eq!(verify(0, 5, &[]), Err(MerkleError::EmptyOldTree { new_size: 5 }));
    assert_eq!(
        verify(0, 1, &[roots[1]]),
        Err(MerkleError::EmptyOldTree { new_size: 1 })
    );

    let backwards = verify(5, 3, &[]).unwrap_err();
    assert_eq!(
        backwards,
        MerkleError::OldSizeExceedsNewSize {
            old_size: 5,
            new_size: 3
        }
    );
    assert_eq!(backwards.to_string(), "old tree size 5 is larger than new tree size 3");

    let short = verify(3, 8, &proof[1..]).unwrap_err();
    assert_eq!(
        short,
        MerkleError::ConsistencyProofLength {
            old_size: 3,
            new_size: 8,
            got: 3,
            want: 4
        }
    );
    assert_eq!(
        short.to_string(),
        "consistency proof has 3 hashes but one from size 3 to size 8 needs 4"
    );
    assert!(verify(1, 2, &[]).is_err());
    let mut long = proof.clone();
    long.push(roots[8]);
    assert!(matches!(
        verify(3, 8, &long),
        Err(MerkleError::ConsistencyProofLength { got: 5, .. })
    ));

    // Roots swapped or taken from other sizes.
    let swapped = verify_consistency(3, 8, &roots[8], &roots[3], &proof).unwrap_err();
    assert!(
        matches!(swapped, MerkleError::OldRootMismatch { old_size: 3, .. }),
        "{swapped}"
    );
    let wrong_new = verify_consistency(3, 8, &roots[3], &roots[7], &proof).unwrap_err();
    assert!(
        matches!(wrong_new, MerkleError::NewRootMismatch { new_size: 8, .. }),
        "{wrong_new}"
    );
    // A power-of-two old size: the old root seeds the computation, so a wrong one shows up
    // in the new root.
    let pow2 = consistency_proof(&leaves, 4, 8).unwrap();
    assert_eq!(verify(4, 8, &pow2), Ok(()));
    let wrong_old = verify_consistency(4, 8, &roots[3], &roots[8], &pow2).unwrap_err();
    assert!(matches!(wrong_old, MerkleError::NewRootMismatch { .. }), "{wrong_old}");
}

#[test]
fn proof_generation_rejects_impossible_requests() {
    let leaves = test_leaves(6, 2);
    assert_eq!(
        inclusion_proof(&leaves, 6, 6),
        Err(MerkleError::IndexOutOfRange { index: 6, size: 6 })
    );
    assert_eq!(
        inclusion_proof(&leaves, 0, 0),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    let beyond = inclusion_proof(&leaves, 0, 7).unwrap_err();
    assert_eq!(beyond, MerkleError::SizeExceedsLeaves { size: 7, available: 6 });
    assert_eq!(beyond.to_string(), "tree size 7 exceeds the 6 leaf hashes supplied");
    assert_eq!(
        consistency_proof(&leaves, 2, 7),
        Err(MerkleError::SizeExceedsLeaves { size: 7, available: 6 })
    );
    assert_eq!(
        consistency_proof(&leaves, 4, 3),
        Err(MerkleError::OldSizeExceedsNewSize {
            old_size: 4,
            new_size: 3
        })
    );
    assert_eq!(
        consistency_proof(&leaves, 0, 3),
        Err(MerkleError::EmptyOldTree { new_size: 3 })
    );
    assert_eq!(consistency_proof(&leaves, 0, 0), Ok(Vec::new()));
    assert_eq!(consistency_proof(&leaves, 4, 4), Ok(Vec::new()));
    // A proof for an older tree can be made from a longer list of leaves.
    let proof = inclusion_proof(&leaves, 2, 3).unwrap();
    verify_inclusion(&leaves[2], 2, 3, &proof, &merkle_root(&leaves[..3])).unwrap();
}

#[test]
fn lookup_errors_are_passed_through() {
    #[derive(Debug, PartialEq)]
    enum StoreError {
        Missing(u64, u64),
        Merkle(MerkleError),
    }
    impl From<MerkleError> for StoreError {
        fn from(error: MerkleError) -> Self {
            StoreError::Merkle(error)
        }
    }
    let missing = |start, end| Err(StoreError::Missing(start, end));
    assert_eq!(inclusion_proof_with(0, 2, missing), Err(StoreError::Missing(1, 2)));
    assert_eq!(consistency_proof_with(1, 2, missing), Err(StoreError::Missing(1, 2)));
    assert_eq!(merkle_root_with(2, missing), Err(StoreError::Missing(0, 2)));
    assert_eq!(
        inclusion_proof_with(2, 2, missing),
        Err(StoreError::Merkle(MerkleError::IndexOutOfRange { index: 2, size: 2 }))
    );
}

/// Flipping any one bit of the leaf, the root or any proof hash makes the proof fail.
#[test]
fn every_single_bit_flip_is_rejected() {
    let leaves = test_leaves(13, 4);
    let (index, old_size, size) = (6, 6, 13);
    let root = merkle_root(&leaves);
    let old_root = merkle_root(&leaves[..old_size as usize]);
    let leaf = leaves[index as usize];
    let inclusion = inclusion_proof(&leaves, index, size).unwrap();
    let consistency = consistency_proof(&leaves, old_size, size).unwrap();
    verify_inclusion(&leaf, index, size, &inclusion, &root).unwrap();
    verify_consistency(old_size, size, &old_root, &root, &consistency).unwrap();
    let flipped = |hash: &Hash, bit: usize| {
        let mut hash = *hash;
        hash[bit / 8] ^= 1 << (bit % 8);
        hash
    };
    for bit in 0..256 {
        assert!(verify_inclusion(&flipped(&leaf, bit), index, size, &inclusion, &root).is_err());
        assert!(verify_inclusion(&leaf, index, size, &inclusion, &flipped(&root, bit)).is_err());
        for i in 0..inclusion.len() {
            let mut proof = inclusion.clone();
            proof[i] = flipped(&proof[i], bit);
            assert!(
                verify_inclusion(&leaf, index, size, &proof, &root).is_err(),
                "{i} {bit}"
            );
        }
        let old = flipped(&old_root, bit);
        assert!(verify_consistency(old_size, size, &old, &root, &consistency).is_err());
        let new = flipped(&root, bit);
        assert!(verify_consistency(old_size, size, &old_root, &new, &consistency).is_err());
        for i in 0..consistency.len() {
            let mut proof = consistency.clone();
            proof[i] = flipped(&proof[i], bit);
            assert!(verify_consistency(old_size, size, &old_root, &root, &proof).is_err());
        }
    }
}

/// A store with a million leaves answers proofs from O(log n) perfect-subtree lookups.
///
/// Every leaf is the same, so the hash of a perfect subtree depends only on its height and
/// the lookup is a table of 64 hashes; the proofs still need the ragged right edge of the
/// tree combined correctly, and the roots are checked against a frontier.
#[test]
fn proofs_for_a_million_leaves_need_few_lookups() {
    let by_height: Vec<Hash> = std::iter::successors(Some(leaf_hash(b"event")), |h| Some(node_hash(h, h)))
        .take(64)
        .collect();
    let lookups = Cell::new(0usize);
    let lookup = |start: u64, end: u64| {
        let len = end - start;
        assert!(len.is_power_of_two() && start.is_multiple_of(len), "{start}..{end}");
        lookups.set(lookups.get() + 1);
        Ok::<_, MerkleError>(by_height[len.trailing_zeros() as usize])
    };
    let size = 1_000_003;
    let root = merkle_root_with(size, lookup).unwrap();
    let frontier_hashes = MerkleFrontier::subtree_ranges(size)
        .map(|(start, end)| by_height[(end - start).trailing_zeros() as usize])
        .collect();
    let frontier = MerkleFrontier::from_subtrees(size, frontier_hashes).unwrap();
    assert_eq!(frontier.root(), root);

    let old_size = 999_331;
    let rounds = 200u64;
    let started = Instant::now();
    let mut most_lookups = 0;
    for round in 0..rounds {
        let index = round * 4_999 % size;
        lookups.set(0);
        let proof = inclusion_proof_with(index, size, lookup).unwrap();
        most_lookups = most_lookups.max(lookups.get());
        verify_inclusion(&by_height[0], index, size, &proof, &root).unwrap();
        lookups.set(0);
        let proof = consistency_proof_with(old_size + round, size, lookup).unwrap();
        most_lookups = most_lookups.max(lookups.get());
        let old_root = merkle_root_with(old_size + round, lookup).unwrap();
        verify_consistency(old_size + round, size, &old_root, &root, &proof).unwrap();
    }
    let per_proof = started.elapsed() / (2 * rounds as u32);
    // log2(1_000_003) < 20: at most one lookup per proof hash plus the pieces of one node.
    assert!(most_lookups <= 40, "{most_lookups} lookups for one proof");
    assert!(per_proof < Duration::from_millis(5), "{per_proof:?} per proof");
}

proptest! {
    // Each case hashes about size²/2 nodes.
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn the_frontier_root_is_the_list_root_at_every_size(size in 0usize..300, seed in any::<u64>()) {
        let leaves = test_leaves(size as u64, seed);
        let mut frontier = MerkleFrontier::new();
        for len in 0..=size {
            prop_assert_eq!(frontier.size(), len as u64);
            prop_assert_eq!(frontier.subtrees().len(), len.count_ones() as usize);
            prop_assert_eq!(frontier.root(), merkle_root(&leaves[..len]), "size {}", len);
            if let Some(leaf) = leaves.get(len) {
                frontier.push(*leaf);
            }
        }
    }
}

proptest! {
    // Each case makes and checks about 2·size proofs: a few dozen cases take a second.
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random trees up to 300 leaves: every inclusion proof, and every consistency proof
    /// into the tree, verifies against the list root and the frontier root; a random pair
    /// also against list roots, with proofs made both ways.
    #[test]
    fn proofs_verify_against_list_and_frontier_roots(
        size in 1u64..300,
        seed in any::<u64>(),
        index in any::<prop::sample::Index>(),
        old in any::<prop::sample::Index>(),
    ) {
        let leaves = test_leaves(size, seed);
        let mut table = NodeTable::new();
        let mut frontier_roots = vec![table.frontier.root()];
        for leaf in &leaves {
            table.push(*leaf);
            frontier_roots.push(table.frontier.root());
        }
        let root = merkle_root(&leaves);
        prop_assert_eq!(frontier_roots[size as usize], root);
        // One lookup per proof hash plus the pieces of one node: at most 2·⌈log2(size)⌉.
        let most_lookups = 2 * (u64::BITS - (size - 1).leading_zeros()) as usize;

        for i in 0..size {
            table.lookups = 0;
            let proof = inclusion_proof_with(i, size, |s, e| table.lookup(s, e))?;
            prop_assert!(table.lookups <= most_lookups, "{} lookups", table.lookups);
            verify_inclusion(&leaves[i as usize], i, size, &proof, &root)?;
        }
        for old_size in 1..=size {
            table.lookups = 0;
            let proof = consistency_proof_with(old_size, size, |s, e| table.lookup(s, e))?;
            prop_assert!(table.lookups <= most_lookups, "{} lookups", table.lookups);
            let old_root = &frontier_roots[old_size as usize];
            verify_consistency(old_size, size, old_root, &root, &proof)?;
        }

        let index = index.index(size as usize) as u64;
        let proof = inclusion_proof(&leaves, index, size)?;
        prop_assert_eq!(&proof, &inclusion_proof_with(index, size, |s, e| table.lookup(s, e))?);
        verify_inclusion(&leaves[index as usize], index, size, &proof, &root)?;
        verify_inclusion(&leaves[index as usize], index, size, &proof, &table.frontier.root())?;

        let old_size = old.index(size as usize) as u64 + 1;
        let old_root = merkle_root(&leaves[..old_size as usize]);
        prop_assert_eq!(old_root, frontier_roots[old_size as usize]);
        let proof = consistency_proof(&leaves, old_size, size)?;
        prop_assert_eq!(&proof, &consistency_proof_with(old_size, size, |s, e| table.lookup(s, e))?);
        verify_consistency(old_size, size, &old_root, &root, &proof)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Flipping one bit anywhere in a proof, the roots or the leaf hash is rejected.
    #[test]
    fn a_flipped_bit_is_rejected(
        size in 1u64..300,
        seed in any::<u64>(),
        index in any::<prop::sample::Index>(),
        old in any::<prop::sample::Index>(),
        element in any::<prop::sample::Index>(),
        bit in 0usize..256,
    ) {
        let flip = |hash: &Hash| {
            let mut hash = *hash;
            hash[bit / 8] ^= 1 << (bit % 8);
            hash
        };
        let leaves = test_leaves(size, seed);
        let mut frontier = MerkleFrontier::new();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        let root = frontier.root();

        let index = index.index(size as usize) as u64;
        let leaf = leaves[index as usize];
        let mut proof = inclusion_proof(&leaves, index, size)?;
        prop_assert!(verify_inclusion(&flip(&leaf), index, size, &proof, &root).is_err());
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &flip(&root)).is_err());
        if !proof.is_empty() {
            let i = element.index(proof.len());
            proof[i] = flip(&proof[i]);
            prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_err());
        }

        let old_size = old.index(size as usize) as u64 + 1;
        let old_root = merkle_root(&leaves[..old_size as usize]);
        let mut proof = consistency_proof(&leaves, old_size, size)?;
        prop_assert!(verify_consistency(old_size, size, &flip(&old_root), &root, &proof).is_err());
        prop_assert!(verify_consistency(old_size, size, &old_root, &flip(&root), &proof).is_err());
        if !proof.is_empty() {
            let i = element.index(proof.len());
            proof[i] = flip(&proof[i]);
            prop_assert!(verify_consistency(old_size, size, &old_root, &root, &proof).is_err());
        }
    }
}
