/* hotline_markup.Markup: a static block (the numbers table, the KPI cards, a chart's table) as one
   Dash component. Its `tree` prop is JsonML, ["tag", {attributes}, child, ...], built by
   components/markup.py; why one component instead of html.* ones is said there.
   The tree is data: React escapes every text, and only these tags and attributes are drawn. */
(function () {
    'use strict';
    const TAGS = new Set(['div', 'span', 'p', 'strong', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td']);
    const ATTRIBUTES = new Set(['className', 'id', 'scope', 'colSpan', 'title']);

    function isAttributes(value) {
        return value !== null && typeof value === 'object' && !Array.isArray(value);
    }

    function build(node) {
        if (typeof node === 'string' || typeof node === 'number') {
            return String(node);
        }
        if (!Array.isArray(node) || !TAGS.has(node[0])) {
            return null;
        }
        const props = {};
        let children = node.slice(1);
        if (children.length && isAttributes(children[0])) {
            for (const [name, value] of Object.entries(children[0])) {
                if (ATTRIBUTES.has(name) && (typeof value === 'string' || typeof value === 'number')) {
                    props[name] = value;
                }
            }
            children = children.slice(1);
        }
        // Children as arguments, not an array: React needs no keys for a fixed list.
        return window.React.createElement(node[0], props, ...children.map(build));
    }

    function Markup(props) {
        return build(props.tree);
    }

    window.hotline_markup = Object.assign(window.hotline_markup || {}, {Markup: Markup});
})();
