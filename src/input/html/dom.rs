//! html5ever's tree builder → a light tree of the page, for the renderer.
//!
//! It takes the tree builder's calls (html5ever's `TreeSink`: create,
//! append, move and reparent nodes, as the HTML standard's tree
//! construction decides, implied end tags and foster parenting included)
//! and keeps the resulting tree in one vector of nodes linked by index. An
//! element keeps only what the renderer reads: its name, and what its
//! attributes say (a class or id naming page chrome, `colspan`,
//! `rowspan`), worked out once when it is created; a text node keeps the
//! tokenizer's tendril as it came (a slice of the page, not a copy).
//!
//! Adjacent text is not merged into one node: the renderer reads text as
//! one stream of characters, so two neighbouring text nodes read as their
//! concatenation, and merging would copy them.
//!
//! It never panics on a handle it did not make: a missing node reads as
//! nothing.

use std::borrow::Cow;
use std::cell::{Ref, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{local_name, ns, Attribute, LocalName, QualName};

/// A node's index in `Dom::nodes`.
pub type Id = u32;

/// No node.
const NONE: Id = Id::MAX;

/// The document node.
pub const ROOT: Id = 0;

/// What a node is.
#[derive(Debug)]
pub enum Kind {
    Document,
    Element(Element),
    Text(StrTendril),
    /// Comments, processing instructions and a `<template>`'s contents
    /// (a child of the template: its text is read with the page).
    Other,
}

/// An element as the renderer reads it.
#[derive(Debug)]
pub struct Element {
    pub name: QualName,
    /// Elements that end a line of flow text.
    pub block: bool,
    /// Skipped with everything inside (config `skip_tags`).
    pub skip: bool,
    /// Page chrome by its tag or by a class or id word (config
    /// `chrome_words`).
    pub chrome: bool,
    /// `colspan` and `rowspan` as numbers; 1 when missing or not a number.
    pub colspan: u32,
    pub rowspan: u32,
    /// The attributes it has that the flags above read (`HAS_*`): an
    /// attribute added later (`add_attrs_if_missing`) counts only when it
    /// is missing.
    has: u8,
}

const HAS_CLASS: u8 = 1;
const HAS_ID: u8 = 2;
const HAS_COLSPAN: u8 = 4;
const HAS_ROWSPAN: u8 = 8;

/// One node and its links.
#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    parent: Id,
    prev: Id,
    next: Id,
    first: Id,
    last: Id,
    /// A table is somewhere below it.
    pub holds_table: bool,
}

fn link(id: Id) -> Option<Id> {
    (id != NONE).then_some(id)
}

impl Node {
    fn new(kind: Kind) -> Node {
        Node {
            kind,
            parent: NONE,
            prev: NONE,
            next: NONE,
            first: NONE,
            last: NONE,
            holds_table: false,
        }
    }

    pub fn parent(&self) -> Option<Id> {
        link(self.parent)
    }
    pub fn next(&self) -> Option<Id> {
        link(self.next)
    }
    pub fn first(&self) -> Option<Id> {
        link(self.first)
    }

    pub fn element(&self) -> Option<&Element> {
        match &self.kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The element's local name, whatever its namespace.
    pub fn name(&self) -> Option<&LocalName> {
        self.element().map(|e| &e.name.local)
    }
}

/// What the sink needs from the config to read attributes.
pub struct Words<'c> {
    pub skip_tags: &'c [LocalName],
    pub chrome_words: &'c [String],
}

/// The parsed page.
#[derive(Debug)]
pub struct Dom {
    pub nodes: Vec<Node>,
    /// What `elem_name` answers for a handle that is not an element (the
    /// tree builder promises never to ask).
    nameless: QualName,
}

impl Dom {
    pub fn node(&self, id: Id) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    fn node_mut(&mut self, id: Id) -> Option<&mut Node> {
        self.nodes.get_mut(id as usize)
    }

    fn push(&mut self, kind: Kind) -> Id {
        self.nodes.push(Node::new(kind));
        (self.nodes.len() - 1) as Id
    }

    /// Takes a node out of its parent's children.
    fn detach(&mut self, id: Id) {
        let Some(n) = self.node_mut(id) else {
            return;
        };
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        n.parent = NONE;
        n.prev = NONE;
        n.next = NONE;
        if let Some(p) = self.node_mut(prev) {
            p.next = next;
        } else if let Some(p) = self.node_mut(parent) {
            p.first = next;
        }
        if let Some(n) = self.node_mut(next) {
            n.prev = prev;
        } else if let Some(p) = self.node_mut(parent) {
            p.last = prev;
        }
    }

    /// Links a detached node in between `prev` and `next` (either may be
    /// `NONE`) under `parent`; `next` already links back to it.
    fn place(&mut self, id: Id, parent: Id, prev: Id, next: Id) {
        match self.node_mut(prev) {
            Some(p) => p.next = id,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.first = id;
                }
            }
        }
        if let Some(n) = self.node_mut(id) {
            n.parent = parent;
            n.prev = prev;
            n.next = next;
        }
    }

    /// Makes a node the last child of `parent`.
    fn append_child(&mut self, parent: Id, id: Id) {
        if id == parent || self.node(parent).is_none() {
            return;
        }
        self.detach(id);
        if let Some(p) = self.node_mut(parent) {
            let last = std::mem::replace(&mut p.last, id);
            self.place(id, parent, last, NONE);
        }
    }

    /// Puts a node just before `sibling`.
    fn insert_before(&mut self, sibling: Id, id: Id) {
        if id == sibling {
            return;
        }
        self.detach(id);
        if let Some(s) = self.node_mut(sibling) {
            let parent = s.parent;
            let prev = std::mem::replace(&mut s.prev, id);
            self.place(id, parent, prev, sibling);
        }
    }

    /// Marks every element that holds a table below it.
    fn mark_tables(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].name() != Some(&local_name!("table")) {
                continue;
            }
            let mut up = self.nodes[i].parent;
            while let Some(a) = self.node_mut(up) {
                if a.holds_table {
                    break;
                }
                a.holds_table = true;
                up = a.parent;
            }
        }
    }

    /// The first element named `name` in document order.
    pub fn find(&self, name: &LocalName) -> Option<Id> {
        Edges::new(self, ROOT).find_map(|edge| match edge {
            Edge::Open(id) if self.node(id).and_then(Node::name) == Some(name) => Some(id),
            _ => None,
        })
    }
}

/// One step of a walk through a subtree: entering or leaving a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Open(Id),
    Close(Id),
}

/// A walk through the subtree of one node, in document order; a subtree
/// can be passed over whole.
pub struct Edges<'d> {
    dom: &'d Dom,
    root: Id,
    next: Option<Edge>,
}

impl<'d> Edges<'d> {
    pub fn new(dom: &'d Dom, root: Id) -> Edges<'d> {
        Edges {
            dom,
            root,
            next: dom.node(root).map(|_| Edge::Open(root)),
        }
    }

    /// Passes over the subtree of the node just opened: the walk goes on
    /// after it, without closing it.
    pub fn pass_over(&mut self, id: Id) {
        self.next = self.after(id);
    }

    /// The step after leaving `id`.
    fn after(&self, id: Id) -> Option<Edge> {
        if id == self.root {
            return None;
        }
        let n = self.dom.node(id)?;
        match (n.next(), n.parent()) {
            (Some(s), _) => Some(Edge::Open(s)),
            (None, Some(p)) => Some(Edge::Close(p)),
            (None, None) => None,
        }
    }
}

impl Iterator for Edges<'_> {
    type Item = Edge;

    fn next(&mut self) -> Option<Edge> {
        let edge = self.next?;
        self.next = match edge {
            Edge::Open(id) => match self.dom.node(id).and_then(Node::first) {
                Some(c) => Some(Edge::Open(c)),
                None => Some(Edge::Close(id)),
            },
            Edge::Close(id) => self.after(id),
        };
        Some(edge)
    }
}

/// Elements that end a line of flow text.
fn is_block(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("address")
            | local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("body")
            | local_name!("caption")
            | local_name!("center")
            | local_name!("dd")
            | local_name!("div")
            | local_name!("dl")
            | local_name!("dt")
            | local_name!("fieldset")
            | local_name!("figcaption")
            | local_name!("figure")
            | local_name!("footer")
            | local_name!("form")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("header")
            | local_name!("hr")
            | local_name!("html")
            | local_name!("li")
            | local_name!("main")
            | local_name!("nav")
            | local_name!("ol")
            | local_name!("p")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("table")
            | local_name!("tbody")
            | local_name!("td")
            | local_name!("tfoot")
            | local_name!("th")
            | local_name!("thead")
            | local_name!("title")
            | local_name!("tr")
            | local_name!("ul")
    )
}

/// Does a class or id value name page chrome? Its words are split at
/// anything but ASCII letters and digits.
fn names_chrome(value: &str, words: &[String]) -> bool {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|token| words.iter().any(|w| w.eq_ignore_ascii_case(token)))
}

/// An attribute value as a number.
fn number(value: &str) -> Option<u32> {
    value.trim().trim_matches('"').parse::<u32>().ok()
}

impl Element {
    fn new(name: QualName, words: &Words<'_>) -> Element {
        let local = &name.local;
        Element {
            block: is_block(local),
            skip: words.skip_tags.contains(local),
            chrome: matches!(
                *local,
                local_name!("nav")
                    | local_name!("header")
                    | local_name!("footer")
                    | local_name!("aside")
            ),
            colspan: 1,
            rowspan: 1,
            has: 0,
            name,
        }
    }

    /// Reads one attribute, unless one of the same name was read before.
    fn read(&mut self, attr: &Attribute, words: &Words<'_>) {
        let name = &attr.name;
        let plain = name.prefix.is_none() && name.ns == ns!();
        // Only attributes without namespace are told apart by `has`; the
        // tree builder gives `class` and `id` no namespace.
        let bit = match name.local {
            local_name!("class") => HAS_CLASS,
            local_name!("id") => HAS_ID,
            local_name!("colspan") => HAS_COLSPAN,
            local_name!("rowspan") => HAS_ROWSPAN,
            _ => return,
        };
        if plain {
            if self.has & bit != 0 {
                return;
            }
            self.has |= bit;
        }
        match bit {
            HAS_CLASS | HAS_ID if !self.chrome => {
                self.chrome = names_chrome(&attr.value, words.chrome_words);
            }
            HAS_COLSPAN if plain => self.colspan = number(&attr.value).unwrap_or(1),
            HAS_ROWSPAN if plain => self.rowspan = number(&attr.value).unwrap_or(1),
            _ => {}
        }
    }
}

/// The tree builder's side: builds a `Dom`.
pub struct Sink<'c> {
    dom: RefCell<Dom>,
    words: Words<'c>,
}

impl<'c> Sink<'c> {
    /// An empty document, with room for about `nodes` nodes.
    pub fn new(words: Words<'c>, nodes: usize) -> Sink<'c> {
        let mut all = Vec::with_capacity(nodes.max(1));
        all.push(Node::new(Kind::Document));
        Sink {
            dom: RefCell::new(Dom {
                nodes: all,
                nameless: QualName::new(None, ns!(), LocalName::from("")),
            }),
            words,
        }
    }

    fn append_text(dom: &mut Dom, parent: Id, text: StrTendril) {
        if dom.node(parent).is_some() {
            let id = dom.push(Kind::Text(text));
            dom.append_child(parent, id);
        }
    }
}

impl TreeSink for Sink<'_> {
    type Handle = Id;
    type Output = Dom;
    type ElemName<'a>
        = Ref<'a, QualName>
    where
        Self: 'a;

    fn finish(self) -> Dom {
        let mut dom = self.dom.into_inner();
        dom.mark_tables();
        dom
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Id {
        ROOT
    }

    fn elem_name<'a>(&'a self, target: &'a Id) -> Ref<'a, QualName> {
        Ref::map(self.dom.borrow(), |d| {
            match d.node(*target).and_then(Node::element) {
                Some(e) => &e.name,
                None => &d.nameless,
            }
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> Id {
        let template = name.expanded() == html5ever::expanded_name!(html "template");
        let mut e = Element::new(name, &self.words);
        for a in &attrs {
            e.read(a, &self.words);
        }
        let mut dom = self.dom.borrow_mut();
        let id = dom.push(Kind::Element(e));
        if template {
            let contents = dom.push(Kind::Other);
            dom.append_child(id, contents);
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> Id {
        self.dom.borrow_mut().push(Kind::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Id {
        self.dom.borrow_mut().push(Kind::Other)
    }

    fn append(&self, parent: &Id, child: NodeOrText<Id>) {
        let mut dom = self.dom.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => dom.append_child(*parent, id),
            NodeOrText::AppendText(text) => Self::append_text(&mut dom, *parent, text),
        }
    }

    fn append_based_on_parent_node(&self, element: &Id, prev_element: &Id, child: NodeOrText<Id>) {
        let has_parent = self
            .dom
            .borrow()
            .node(*element)
            .is_some_and(|n| n.parent().is_some());
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    /// The doctype is not kept: nothing reads it.
    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Id) -> Id {
        self.dom
            .borrow()
            .node(*target)
            .and_then(Node::first)
            .unwrap_or(*target)
    }

    fn same_node(&self, x: &Id, y: &Id) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Id, new_node: NodeOrText<Id>) {
        let mut dom = self.dom.borrow_mut();
        if let NodeOrText::AppendNode(id) = new_node {
            dom.detach(id);
        }
        if dom.node(*sibling).and_then(Node::parent).is_none() {
            return;
        }
        let id = match new_node {
            NodeOrText::AppendNode(id) => id,
            NodeOrText::AppendText(text) => dom.push(Kind::Text(text)),
        };
        dom.insert_before(*sibling, id);
    }

    fn add_attrs_if_missing(&self, target: &Id, attrs: Vec<Attribute>) {
        let mut dom = self.dom.borrow_mut();
        if let Some(Node {
            kind: Kind::Element(e),
            ..
        }) = dom.nodes.get_mut(*target as usize)
        {
            for a in &attrs {
                e.read(a, &self.words);
            }
        }
    }

    fn remove_from_parent(&self, target: &Id) {
        self.dom.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &Id, new_parent: &Id) {
        let mut dom = self.dom.borrow_mut();
        if dom.node(*new_parent).is_none() {
            return;
        }
        while let Some(child) = dom.node(*node).and_then(Node::first) {
            if child == *new_parent {
                // Never a node into itself: the tree builder does not ask.
                dom.detach(child);
                continue;
            }
            dom.append_child(*new_parent, child);
        }
    }
}
