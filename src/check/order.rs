//! The order in which definitions that name other definitions (terms, code sets, diagnosis
//! sets) are compiled: depth first, so that what a definition names is compiled before it,
//! walked with a stack of its own instead of the call stack, so that a chain of thousands of
//! definitions cannot overflow the thread's stack.

/// One step of a depth-first walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Visit {
    /// The walk reaches a definition: it is being compiled from here until its `Leave`.
    Enter(usize),
    /// Everything the definition names has been entered and left (or is being compiled
    /// around it, which is a cycle): compile it now.
    Leave(usize),
}

/// The depth-first walk over definitions `0..names.len()`, where `names[i]` lists the
/// definitions that definition `i` names, in the order it names them. Each definition is
/// entered and left exactly once; roots are taken in order, and a definition's names are
/// followed in order, so the walk visits definitions as a recursive compiler would.
pub(super) fn depth_first(names: &[Vec<usize>]) -> Vec<Visit> {
    let mut seen = vec![false; names.len()];
    let mut out = Vec::with_capacity(2 * names.len());
    // Each frame: a definition, and how many of its names have been followed.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..names.len() {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        out.push(Visit::Enter(root));
        stack.push((root, 0));
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            match names[node].get(*next) {
                Some(&name) => {
                    *next += 1;
                    if name < names.len() && !seen[name] {
                        seen[name] = true;
                        out.push(Visit::Enter(name));
                        stack.push((name, 0));
                    }
                }
                None => {
                    stack.pop();
                    out.push(Visit::Leave(node));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Visit::*;

    #[test]
    fn what_a_definition_names_is_left_before_it() {
        // 0 names 1 and 2; 1 names 2; 3 stands alone.
        let walk = depth_first(&[vec![1, 2], vec![2], vec![], vec![]]);
        assert_eq!(
            walk,
            [
                Enter(0),
                Enter(1),
                Enter(2),
                Leave(2),
                Leave(1),
                Leave(0),
                Enter(3),
                Leave(3)
            ]
        );
    }

    #[test]
    fn a_cycle_is_left_while_its_start_is_still_entered() {
        let walk = depth_first(&[vec![1], vec![0]]);
        assert_eq!(walk, [Enter(0), Enter(1), Leave(1), Leave(0)]);
    }

    #[test]
    fn a_chain_of_a_hundred_thousand_does_not_recurse() {
        let n = 100_000;
        let names: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        let walk = depth_first(&names);
        assert_eq!(walk.len(), 2 * n);
        assert_eq!(walk[n], Leave(n - 1));
    }
}
