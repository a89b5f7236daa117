/* The upload card (components/uploads.py): say so when a file is over the size limit.
   dcc.Upload drops such a file without a word, so the server never hears of it. */
(function () {
    function check(target, files) {
        const card = target && target.closest ? target.closest('[data-upload-max-bytes]') : null;
        if (!card || !files || !files.length || !window.dash_clientside) {
            return;
        }
        const file = files[0];
        if (file.size <= Number(card.dataset.uploadMaxBytes)) {
            return;
        }
        const size = file.size / (1024 * 1024);
        const megabytes = size >= 1 ? size.toFixed(1) : String(Number(size.toPrecision(2)));
        window.dash_clientside.set_props(card.dataset.uploadMessageId, {
            children: file.name + ': ' + card.dataset.uploadTooLarge + ' (it is ' + megabytes + ' MB)',
            className: 'upload-message upload-error'
        });
    }
    document.addEventListener('change', function (event) {
        if (event.target && event.target.type === 'file') {
            check(event.target, event.target.files);
        }
    }, true);
    document.addEventListener('drop', function (event) {
        check(event.target, event.dataTransfer && event.dataTransfer.files);
    }, true);
})();
