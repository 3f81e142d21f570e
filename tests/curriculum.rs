//! docs/curriculum.md names lesson checks as `lesson/item`; each must exist in the pack.

use apilings::lessons::Pack;

#[test]
fn every_check_named_in_the_curriculum_map_exists() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/curriculum.md"))
        .unwrap();
    let pack = Pack::embedded().unwrap();
    let re = regex::Regex::new(r"`(\d\d-[a-z0-9-]+)/([a-z0-9-]+)`").unwrap();
    let mut named = 0;
    for cap in re.captures_iter(&doc) {
        let (lesson, item) = (&cap[1], &cap[2]);
        let l = pack
            .find(lesson)
            .unwrap_or_else(|e| panic!("docs/curriculum.md: {e}"));
        assert_eq!(
            l.id, lesson,
            "docs/curriculum.md names `{lesson}` loosely; use the lesson id"
        );
        assert!(
            l.items.iter().any(|i| i.id == item),
            "docs/curriculum.md names `{lesson}/{item}`, but {lesson} has no such item"
        );
        named += 1;
    }
    assert!(named >= 20, "the map names only {named} checks");
}
